import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** An event waiting to reach Kafka. Written before publishing, deleted once Kafka acknowledged it. */
@Schema({ collection: 'event_outbox', versionKey: false, _id: false })
export class OutboxEvent {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  topic!: string;

  @Prop({ required: true })
  key!: string;

  @Prop({ required: true })
  payload!: string;

  @Prop({ required: true })
  created_at!: Date;
}

export const OutboxEventSchema = SchemaFactory.createForClass(OutboxEvent);
