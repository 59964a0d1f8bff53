import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { DEFAULT_ITEM_LIMIT, MAX_ITEM_LIMIT, MAX_OFFSET } from '../catalog.constants';

/** `POST /catalog/search` (STAC item search with a JSON body). */
export class SearchBodyDto {
  @ApiPropertyOptional({ type: [String], example: ['alice:s1-l1'] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @ArrayMaxSize(100)
  collections?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @ArrayMaxSize(1000)
  ids?: string[];

  @ApiPropertyOptional({ type: [Number], example: [10, 40, 13, 43] })
  @IsOptional()
  @IsArray()
  @IsNumber({}, { each: true })
  @ArrayMinSize(4)
  @ArrayMaxSize(6)
  bbox?: number[];

  @ApiPropertyOptional({ example: '2024-01-01T00:00:00Z/..' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  datetime?: string;

  @ApiPropertyOptional({ default: DEFAULT_ITEM_LIMIT, minimum: 1, maximum: MAX_ITEM_LIMIT })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ITEM_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset?: number;
}
