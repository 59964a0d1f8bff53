import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsObject, IsString, MaxLength } from 'class-validator';
import { IsStacLinks, LINK_SCHEMA, OptionalField } from './stac-request.schemas';

/** The fields STAC Collections and Items share, as clients send them. */
export abstract class StacObjectDto {
  @ApiPropertyOptional({ example: '1.1.0', maxLength: 20 })
  @OptionalField()
  @IsString()
  @MaxLength(20)
  stac_version?: string;

  @ApiPropertyOptional({ type: [String], maxItems: 50 })
  @OptionalField()
  @IsArray()
  @IsString({ each: true })
  @ArrayMaxSize(50)
  stac_extensions?: string[];

  @ApiPropertyOptional({ type: 'array', items: LINK_SCHEMA, maxItems: 200 })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(200)
  @IsStacLinks()
  links?: Record<string, unknown>[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @OptionalField()
  @IsObject()
  assets?: Record<string, unknown>;
}
