import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../auxip.constants';

/** `GET /auxip/search` and `GET /auxip/{station}/search`. */
export class AuxSearchQueryDto {
  @ApiPropertyOptional({
    description: 'Files whose validity meets this instant or interval start/end (either side may be ..)',
    example: '2024-01-03T00:00:00Z/2024-01-04T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  datetime?: string;

  @ApiPropertyOptional({ description: 'Product types, comma-separated', example: 'AUX_POEORB,AUX_RESORB' })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  product_type?: string;

  @ApiPropertyOptional({
    description: 'Platforms, comma-separated (S1A, S2_ for a whole constellation...)',
    example: 'S1A',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  platform?: string;

  @ApiPropertyOptional({
    description: 'Maximum number of files returned',
    default: DEFAULT_LIMIT,
    minimum: 1,
    maximum: MAX_LIMIT,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({
    description: 'Sort field, prefixed by + (ascending, default) or - (descending)',
    example: '-created',
  })
  @IsOptional()
  @Matches(/^[ +-]?[a-z][a-z:_]{0,40}$/, { message: 'sortby must be a field name, optionally prefixed by + or -' })
  sortby?: string;
}
