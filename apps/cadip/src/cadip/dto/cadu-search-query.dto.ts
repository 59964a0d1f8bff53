import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
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

  @ApiPropertyOptional({
    description: 'Maximum number of chunks returned',
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
    example: '-datetime',
  })
  @IsOptional()
  @Matches(/^[ +-]?[a-z][a-z:_]{0,40}$/, { message: 'sortby must be a field name, optionally prefixed by + or -' })
  sortby?: string;
}
