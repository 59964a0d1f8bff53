import { ApiPropertyOptional } from '@nestjs/swagger';
import { DatetimeParameter, LimitParameter, SortByParameter } from '@rs/stac';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { CADU_SORT_FIELDS, DEFAULT_LIMIT, MAX_LIMIT } from '../cadip.constants';

/** `GET /cadip/{station}/cadu/search`. */
export class CaduSearchQueryDto {
  @DatetimeParameter(
    'Publication time: an instant or an interval start/end (either side may be ..)',
    '2024-01-01T00:00:00Z/2024-01-02T00:00:00Z',
  )
  datetime?: string;

  @ApiPropertyOptional({ description: 'Only the chunks of these sessions, comma-separated', maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  session_id?: string;

  @LimitParameter('chunks', DEFAULT_LIMIT, MAX_LIMIT)
  limit?: number;

  @SortByParameter(CADU_SORT_FIELDS, '-datetime')
  sortby?: string;
}
