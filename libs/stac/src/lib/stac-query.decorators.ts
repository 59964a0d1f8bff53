import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

/** `limit`: how many results a search returns at most, 1 to `maximum` (documented and validated). */
export function LimitParameter(results: string, defaultLimit: number, maximum: number): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      description: `Maximum number of ${results} returned`,
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

/** `sortby`: one field name, prefixed by + (ascending, the default) or - (descending), as STAC API's sort. */
export function SortByParameter(example: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      description: 'Sort field, prefixed by + (ascending, default) or - (descending)',
      example,
      pattern: '^[ +-]?[a-z][a-z:_]{0,40}$',
    }),
    IsOptional(),
    Matches(/^[ +-]?[a-z][a-z:_]{0,40}$/, { message: 'sortby must be a field name, optionally prefixed by + or -' }),
  );
}
