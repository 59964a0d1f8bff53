import { ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { DATETIME_INTERVAL_PATTERN } from '@rs/stac';
import { ArrayMaxSize, IsArray, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { COLLECTION_ID_PATTERN } from '../catalog-ids.util';
import { DEFAULT_ITEM_LIMIT, MAX_ITEM_LIMIT, MAX_OFFSET } from '../catalog.constants';
import { BBOX_SCHEMA, ClosedBodySchema, IsBBox, OptionalField } from './stac-request.schemas';

/** `POST /catalog/search` (STAC item search with a JSON body). */
@ClosedBodySchema()
export class SearchBodyDto {
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: COLLECTION_ID_PATTERN },
    maxItems: 100,
    example: ['alice:s1-l1'],
    description: 'Collections <owner>:<name> (default: every collection you may read)',
  })
  @OptionalField()
  @IsArray()
  @IsString({ each: true })
  @Matches(new RegExp(COLLECTION_ID_PATTERN), { each: true, message: 'collections must be <owner>:<collection> ids' })
  @ArrayMaxSize(100)
  collections?: string[];

  @ApiPropertyOptional({ type: [String], maxItems: 1000 })
  @OptionalField()
  @IsArray()
  @IsString({ each: true })
  @ArrayMaxSize(1000)
  ids?: string[];

  @ApiPropertyOptional({
    ...BBOX_SCHEMA,
    example: [10, 40, 13, 43],
    description: 'minx,miny,maxx,maxy (or 6 numbers with heights), WGS 84: min ≤ max, within ±180/±90',
  } as ApiPropertyOptions)
  @OptionalField()
  @IsBBox('bbox')
  bbox?: number[];

  @ApiPropertyOptional({
    example: '2024-01-01T00:00:00Z/..',
    description: 'An instant or an interval start/end (either side may be ..), not ending before it starts',
    maxLength: 100,
    pattern: DATETIME_INTERVAL_PATTERN,
  })
  @OptionalField()
  @IsString()
  @MaxLength(100)
  @Matches(new RegExp(DATETIME_INTERVAL_PATTERN), {
    message: 'datetime must be an ISO 8601 instant or an interval start/end (either side may be ..)',
  })
  datetime?: string;

  @ApiPropertyOptional({ type: 'integer', default: DEFAULT_ITEM_LIMIT, minimum: 1, maximum: MAX_ITEM_LIMIT })
  @OptionalField()
  @IsInt()
  @Min(1)
  @Max(MAX_ITEM_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0, maximum: MAX_OFFSET })
  @OptionalField()
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset?: number;
}
