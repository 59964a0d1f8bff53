import { ApiPropertyOptional } from '@nestjs/swagger';
import { LimitParameter, SortByParameter } from '@rs/stac';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../cadip.constants';

/** `GET /cadip/{station}/cadu/search`. */
export class CaduSearchQueryDto {
  @ApiPropertyOptional({
    description: 'Publication time: an instant or an interval start/end (either side may be ..)',
    example: '2024-01-01T00:00:00Z/2024-01-02T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  datetime?: string;

  @ApiPropertyOptional({ description: 'Only the chunks of these sessions, comma-separated' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  session_id?: string;

  @LimitParameter('chunks', DEFAULT_LIMIT, MAX_LIMIT)
  limit?: number;

  @SortByParameter('-datetime')
  sortby?: string;
}
