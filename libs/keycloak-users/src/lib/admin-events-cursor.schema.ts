import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * Where the admin events follower stopped: the time of the last event it handled (Keycloak's clock) and the ids
 * of the events at that time, since the next read starts at that time again (Keycloak's `dateFrom` is inclusive).
 */
@Schema({ collection: 'keycloak_admin_events_cursor', versionKey: false, _id: false })
export class AdminEventsCursor {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  time!: number;

  @Prop({ type: [String], default: [] })
  ids!: string[];
}

export const AdminEventsCursorSchema = SchemaFactory.createForClass(AdminEventsCursor);
