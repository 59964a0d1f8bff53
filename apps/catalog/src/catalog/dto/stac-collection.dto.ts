import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, Equals, IsArray, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

/** A STAC Collection as clients send it (POST/PUT). */
export class StacCollectionDto {
  @ApiProperty({ enum: ['Collection'] })
  @Equals('Collection', { message: "type must be 'Collection'" })
  type!: 'Collection';

  @ApiPropertyOptional({ example: '1.1.0' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  stac_version?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @ArrayMaxSize(50)
  stac_extensions?: string[];

  @ApiProperty({
    description: 'Collection name, or <owner>:<name>; the owner defaults to the caller',
    example: 's2-l2',
  })
  @IsString()
  @MaxLength(201)
  id!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  title?: string;

  @ApiProperty()
  @IsString()
  @MaxLength(10_000)
  description!: string;

  @ApiPropertyOptional({ default: 'other' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  license?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Defaults to the whole world and an open time range',
  })
  @IsOptional()
  @IsObject()
  extent?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @ArrayMaxSize(100)
  keywords?: string[];

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  providers?: Record<string, unknown>[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  summaries?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  links?: Record<string, unknown>[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  assets?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  item_assets?: Record<string, unknown>;
}
