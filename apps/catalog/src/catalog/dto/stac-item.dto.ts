import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
} from 'class-validator';

/** A STAC Item as clients send it (POST/PUT). Geometry and datetime are checked further by the service. */
export class StacItemDto {
  @ApiProperty({ enum: ['Feature'] })
  @Equals('Feature', { message: "type must be 'Feature'" })
  type!: 'Feature';

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

  @ApiProperty({ example: 'S2B_MSIL2A_20240105T101029_T32TQM' })
  @IsString()
  id!: string;

  @ApiProperty({
    description: 'GeoJSON geometry (WGS 84) or null',
    example: { type: 'Point', coordinates: [12.5, 41.9] },
    nullable: true,
  })
  @ValidateIf((item: StacItemDto) => item.geometry !== null)
  @IsObject({ message: 'geometry must be a GeoJSON geometry object or null' })
  geometry!: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: [Number], description: 'Recomputed from the geometry when absent' })
  @IsOptional()
  @IsArray()
  @IsNumber({}, { each: true })
  @ArrayMinSize(4)
  @ArrayMaxSize(6)
  bbox?: number[];

  @ApiProperty({
    description: 'Must hold datetime, or start_datetime and end_datetime',
    example: { datetime: '2024-01-05T10:10:29Z' },
  })
  @IsObject()
  properties!: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  links?: Record<string, unknown>[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  assets?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Ignored: the collection is the one of the URL' })
  @IsOptional()
  @IsString()
  collection?: string;
}
