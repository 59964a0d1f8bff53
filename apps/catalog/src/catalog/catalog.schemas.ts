import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * Collections and items keep their STAC JSON as text: the local Mongo-wire DB cannot store nested arrays
 * (GeoJSON polygons, extents). What searches need is kept beside it as plain fields.
 */
@Schema({ collection: 'stac_collections', versionKey: false, _id: false })
export class CatalogCollectionDocument {
  /** `<owner>:<name>` */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  owner!: string;

  @Prop({ required: true })
  name!: string;

  @Prop({ required: true })
  stac_json!: string;

  @Prop({ required: true })
  created_at!: Date;

  @Prop({ required: true })
  updated_at!: Date;
}

@Schema({ collection: 'stac_items', versionKey: false, _id: false })
export class CatalogItemDocument {
  /** `<owner>:<name>/<item id>` */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  collection_key!: string;

  @Prop({ required: true })
  item_id!: string;

  @Prop({ required: true })
  datetime_start!: Date;

  @Prop({ required: true })
  datetime_end!: Date;

  // A flat bounding box (null for items without geometry): searchable on both MongoDB and the local DB.
  @Prop({ type: Number, default: null })
  bbox_min_x!: number | null;

  @Prop({ type: Number, default: null })
  bbox_min_y!: number | null;

  @Prop({ type: Number, default: null })
  bbox_max_x!: number | null;

  @Prop({ type: Number, default: null })
  bbox_max_y!: number | null;

  @Prop({ required: true })
  stac_json!: string;

  @Prop({ required: true })
  created_at!: Date;

  @Prop({ required: true })
  updated_at!: Date;
}

export const CatalogCollectionSchema = SchemaFactory.createForClass(CatalogCollectionDocument);
export const CatalogItemSchema = SchemaFactory.createForClass(CatalogItemDocument);
