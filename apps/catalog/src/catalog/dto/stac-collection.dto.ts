import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, Equals, IsArray, IsObject, IsString, Matches, MaxLength } from 'class-validator';
import { NEW_COLLECTION_ID_PATTERN } from '../catalog-ids.util';
import { ClosedBodySchema, OptionalField } from './stac-request.schemas';
import { StacObjectDto } from './stac-object.dto';

/** A STAC Collection as clients send it (POST/PUT). */
@ClosedBodySchema()
export class StacCollectionDto extends StacObjectDto {
  @ApiProperty({ enum: ['Collection'] })
  @Equals('Collection', { message: "type must be 'Collection'" })
  type!: 'Collection';

  @ApiProperty({
    description:
      'Collection name, or <owner>:<name> (letters, digits, _ . -; an owner may also hold @); the owner defaults to ' +
      'the caller. On PUT, the name or the id of the URL.',
    example: 's2-l2',
    pattern: NEW_COLLECTION_ID_PATTERN,
  })
  @IsString()
  @Matches(new RegExp(NEW_COLLECTION_ID_PATTERN), { message: 'id must be <collection> or <owner>:<collection>' })
  id!: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @OptionalField()
  @IsString()
  @MaxLength(500)
  title?: string;

  @ApiProperty({ maxLength: 10_000 })
  @IsString()
  @MaxLength(10_000)
  description!: string;

  @ApiPropertyOptional({ default: 'other', maxLength: 200 })
  @OptionalField()
  @IsString()
  @MaxLength(200)
  license?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Defaults to the whole world and an open time range',
  })
  @OptionalField()
  @IsObject()
  extent?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], maxItems: 100 })
  @OptionalField()
  @IsArray()
  @IsString({ each: true })
  @ArrayMaxSize(100)
  keywords?: string[];

  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true }, maxItems: 50 })
  @OptionalField()
  @IsArray()
  @IsObject({ each: true })
  @ArrayMaxSize(50)
  providers?: Record<string, unknown>[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @OptionalField()
  @IsObject()
  summaries?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @OptionalField()
  @IsObject()
  item_assets?: Record<string, unknown>;
}
