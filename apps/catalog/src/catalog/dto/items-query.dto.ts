import { ApiPropertyOptional } from '@nestjs/swagger';
import { DatetimeParameter } from '@rs/stac';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { COLLECTION_LIST_PATTERN } from '../catalog-ids.util';
import { DEFAULT_ITEM_LIMIT, MAX_ITEM_LIMIT, MAX_OFFSET } from '../catalog.constants';

const NUMBER = '-?[0-9]+(\\.[0-9]+)?';
/** `minx,miny,maxx,maxy` or 6 numbers with heights, plain decimals. */
export const BBOX_QUERY_PATTERN = `^${NUMBER}(,${NUMBER}){3}(,${NUMBER},${NUMBER})?$`;

/** Paging and filters shared by `.../items` and `GET /catalog/search`. */
export class ItemsQueryDto {
  @ApiPropertyOptional({
    description: 'minx,miny,maxx,maxy (or 6 numbers with heights), WGS 84: min ≤ max, within ±180/±90',
    example: '10,40,13,43',
    maxLength: 200,
    pattern: BBOX_QUERY_PATTERN,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(new RegExp(BBOX_QUERY_PATTERN), { message: 'bbox must be 4 numbers minx,miny,maxx,maxy (or 6)' })
  bbox?: string;

  @DatetimeParameter(
    'An instant or an interval start/end (either side may be ..), not ending before it starts',
    '2024-01-01T00:00:00Z/..',
  )
  datetime?: string;

  @ApiPropertyOptional({
    description: 'Items per page',
    type: 'integer',
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
    type: 'integer',
    default: 0,
    minimum: 0,
    maximum: MAX_OFFSET,
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
    maxLength: 4000,
    pattern: COLLECTION_LIST_PATTERN,
  })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  @Matches(new RegExp(COLLECTION_LIST_PATTERN), {
    message: 'collections must be <owner>:<collection> ids, comma-separated',
  })
  collections?: string;

  @ApiPropertyOptional({ description: 'Item ids, comma-separated', maxLength: 10_000 })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  ids?: string;
}
