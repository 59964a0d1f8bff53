import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Response shapes, for Swagger only: the main STAC fields, the rest left free-form. */

export class StacLinkResponseDto {
  @ApiProperty({ example: 'self' }) rel!: string;
  @ApiProperty({ example: 'https://rs.example.org/catalog' }) href!: string;
  @ApiPropertyOptional({ example: 'application/json' }) type?: string;
  @ApiPropertyOptional() title?: string;
  @ApiPropertyOptional({ example: 'GET' }) method?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Body of a POST `next` link' })
  body?: Record<string, unknown>;
}

export class StacItemResponseDto {
  @ApiProperty({ enum: ['Feature'] }) type!: 'Feature';
  @ApiProperty({ example: '1.1.0' }) stac_version!: string;
  @ApiPropertyOptional({ type: [String] }) stac_extensions?: string[];
  @ApiProperty({ example: 'S2B_MSIL2A_20240105T101029_T32TQM' }) id!: string;
  @ApiPropertyOptional({ description: 'Collection of the item' }) collection?: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'GeoJSON geometry (WGS 84) or null',
  })
  geometry!: Record<string, unknown> | null;
  @ApiPropertyOptional({ type: [Number] }) bbox?: number[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'datetime (or start_datetime and end_datetime) and the other properties',
  })
  properties!: Record<string, unknown>;
  @ApiProperty({ type: [StacLinkResponseDto] }) links!: StacLinkResponseDto[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Assets by key' }) assets!: Record<
    string,
    unknown
  >;
}

export class StacFeatureCollectionResponseDto {
  @ApiProperty({ enum: ['FeatureCollection'] }) type!: 'FeatureCollection';
  @ApiProperty({ type: [StacItemResponseDto] }) features!: StacItemResponseDto[];
  @ApiPropertyOptional({ type: [StacLinkResponseDto], description: 'self, root and `next` while more remain' })
  links?: StacLinkResponseDto[];
  @ApiPropertyOptional({ description: 'Items matching the criteria' }) numberMatched?: number;
  @ApiPropertyOptional({ description: 'Items in this page' }) numberReturned?: number;
}

export class StacCollectionResponseDto {
  @ApiProperty({ enum: ['Collection'] }) type!: 'Collection';
  @ApiProperty({ example: '1.1.0' }) stac_version!: string;
  @ApiPropertyOptional({ type: [String] }) stac_extensions?: string[];
  @ApiProperty({ description: '<owner>:<name>', example: 'alice:s1-l1' }) id!: string;
  @ApiPropertyOptional() title?: string;
  @ApiProperty() description!: string;
  @ApiProperty({ example: 'other' }) license!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Spatial and temporal extent' })
  extent!: Record<string, unknown>;
  @ApiPropertyOptional({ type: [String] }) keywords?: string[];
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true } }) providers?: Record<
    string,
    unknown
  >[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) summaries?: Record<string, unknown>;
  @ApiProperty({ type: [StacLinkResponseDto] }) links!: StacLinkResponseDto[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) assets?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) item_assets?: Record<string, unknown>;
}

export class StacCollectionsResponseDto {
  @ApiProperty({ type: [StacCollectionResponseDto] }) collections!: StacCollectionResponseDto[];
  @ApiProperty({ type: [StacLinkResponseDto] }) links!: StacLinkResponseDto[];
}

export class StacLandingPageResponseDto {
  @ApiProperty({ enum: ['Catalog'] }) type!: 'Catalog';
  @ApiProperty({ example: '1.1.0' }) stac_version!: string;
  @ApiProperty() id!: string;
  @ApiPropertyOptional() title?: string;
  @ApiProperty() description!: string;
  @ApiPropertyOptional({ type: [String], description: 'Conformance classes' }) conformsTo?: string[];
  @ApiProperty({ type: [StacLinkResponseDto] }) links!: StacLinkResponseDto[];
}

export class ConformanceResponseDto {
  @ApiProperty({ type: [String], example: ['https://api.stacspec.org/v1.0.0/core'] }) conformsTo!: string[];
}
