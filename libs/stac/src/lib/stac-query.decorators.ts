import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DATETIME_INTERVAL_PATTERN, ISO_DATE_PATTERN } from './stac.util';

/** `limit`: how many results a search returns at most, 1 to `maximum` (documented and validated). */
export function LimitParameter(results: string, defaultLimit: number, maximum: number): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      description: `Maximum number of ${results} returned`,
      type: 'integer',
      default: defaultLimit,
      minimum: 1,
      maximum,
    }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(maximum),
  );
}

/**
 * `sortby`: one of `fields`, prefixed by + (ascending, the default) or - (descending), as STAC API's sort. A `+`
 * sent unencoded reads as a space, so a leading space is ascending too (see parseSortBy).
 */
export function SortByParameter(fields: readonly string[], example: string): PropertyDecorator {
  const pattern = `^[ +-]?(${fields.map((field) => field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`;
  return applyDecorators(
    ApiPropertyOptional({
      description: `Sort field (${fields.join(', ')}), prefixed by + (ascending, default) or - (descending)`,
      example,
      pattern,
    }),
    IsOptional(),
    Matches(new RegExp(pattern), {
      message: `sortby must be one of ${fields.join(', ')}, optionally prefixed by + or -`,
    }),
  );
}

/** `datetime`: an instant or an interval `start/end` (either side open), as `parseInterval` reads it. */
export function DatetimeParameter(description: string, example: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, example, maxLength: 100, pattern: DATETIME_INTERVAL_PATTERN }),
    IsOptional(),
    IsString(),
    MaxLength(100),
    Matches(new RegExp(DATETIME_INTERVAL_PATTERN), {
      message: 'datetime must be an ISO 8601 instant or an interval start/end (either side may be ..)',
    }),
  );
}

/** An ISO 8601 date or date-time parameter, as `parseIsoDate` reads it. */
export function IsoDateParameter(name: string, description: string, example: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, example, pattern: ISO_DATE_PATTERN }),
    IsOptional(),
    IsString(),
    Matches(new RegExp(ISO_DATE_PATTERN), { message: `${name} must be an ISO 8601 date, e.g. 2024-01-01T00:00:00Z` }),
  );
}
