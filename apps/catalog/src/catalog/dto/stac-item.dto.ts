import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Equals, IsObject, IsString, Matches, ValidateIf } from 'class-validator';
import { ITEM_ID_PATTERN } from '../catalog-ids.util';
import {
  BBOX_SCHEMA,
  ClosedBodySchema,
  GEOMETRY_SCHEMA,
  IsBBox,
  ITEM_PROPERTIES_SCHEMA,
  OptionalField,
} from './stac-request.schemas';
import { StacObjectDto } from './stac-object.dto';

/** A STAC Item as clients send it (POST/PUT). Geometry and datetime are checked further by the service. */
@ClosedBodySchema()
export class StacItemDto extends StacObjectDto {
  @ApiProperty({ enum: ['Feature'] })
  @Equals('Feature', { message: "type must be 'Feature'" })
  type!: 'Feature';

  @ApiProperty({
    example: 'S2B_MSIL2A_20240105T101029_T32TQM',
    description: 'Letters, digits and _ . : + -, at most 200; on PUT, the id of the URL',
    pattern: ITEM_ID_PATTERN,
  })
  @IsString()
  @Matches(new RegExp(ITEM_ID_PATTERN), { message: 'id must be letters, digits and _ . : + -, at most 200' })
  id!: string;

  @ApiProperty({ ...GEOMETRY_SCHEMA, example: { type: 'Point', coordinates: [12.5, 41.9] } } as ApiPropertyOptions)
  @ValidateIf((item: StacItemDto) => item.geometry !== null)
  @IsObject({ message: 'geometry must be a GeoJSON geometry object or null' })
  geometry!: Record<string, unknown> | null;

  @ApiPropertyOptional({
    ...BBOX_SCHEMA,
    description: 'Recomputed from the geometry when absent',
  } as ApiPropertyOptions)
  @OptionalField()
  @IsBBox('bbox')
  bbox?: number[];

  @ApiProperty(ITEM_PROPERTIES_SCHEMA as ApiPropertyOptions)
  @IsObject()
  properties!: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Ignored: the collection is the one of the URL' })
  @OptionalField()
  @IsString()
  collection?: string;
}
