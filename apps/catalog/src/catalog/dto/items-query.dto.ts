import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DEFAULT_ITEM_LIMIT, MAX_ITEM_LIMIT, MAX_OFFSET } from '../catalog.constants';

/** Paging and filters shared by `.../items` and `GET /catalog/search`. */
export class ItemsQueryDto {
  @ApiPropertyOptional({ description: 'minx,miny,maxx,maxy (WGS 84)', example: '10,40,13,43' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  bbox?: string;

  @ApiPropertyOptional({
    description: 'An instant or an interval start/end (either side may be ..)',
    example: '2024-01-01T00:00:00Z/..',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  datetime?: string;

  @ApiPropertyOptional({
    description: 'Items per page',
    default: DEFAULT_ITEM_LIMIT,
    minimum: 1,
    maximum: MAX_ITEM_LIMIT,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ITEM_LIMIT)
  limit?: number;

  @ApiPropertyOptional({
    description: 'Items to skip (follow the `next` link rather than computing it)',
    default: 0,
    minimum: 0,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset?: number;
}

/** `GET /catalog/search`. */
export class SearchQueryDto extends ItemsQueryDto {
  @ApiPropertyOptional({
    description: 'Collections <owner>:<name>, comma-separated (default: every collection you may read)',
    example: 'alice:s1-l1',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  collections?: string;

  @ApiPropertyOptional({ description: 'Item ids, comma-separated' })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  ids?: string;
}
