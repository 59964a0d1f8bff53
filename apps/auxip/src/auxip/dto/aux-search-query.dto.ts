import { ApiPropertyOptional } from '@nestjs/swagger';
import { DatetimeParameter, LimitParameter, SortByParameter } from '@rs/stac';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AUXIP_SORT_FIELDS, DEFAULT_LIMIT, MAX_LIMIT } from '../auxip.constants';

/** `GET /auxip/search` and `GET /auxip/{station}/search`. */
export class AuxSearchQueryDto {
  @DatetimeParameter(
    'Files whose validity meets this instant or interval start/end (either side may be ..)',
    '2024-01-03T00:00:00Z/2024-01-04T00:00:00Z',
  )
  datetime?: string;

  @ApiPropertyOptional({
    description: 'Product types, comma-separated',
    example: 'AUX_POEORB,AUX_RESORB',
    maxLength: 400,
  })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  product_type?: string;

  @ApiPropertyOptional({
    description: 'Platforms, comma-separated (S1A, S2_ for a whole constellation...)',
    example: 'S1A',
    maxLength: 100,
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  platform?: string;

  @LimitParameter('files', DEFAULT_LIMIT, MAX_LIMIT)
  limit?: number;

  @SortByParameter(AUXIP_SORT_FIELDS, '-created')
  sortby?: string;
}
