import type { Producer } from 'kafkajs';
import { encodeUsageMessages, type UsageFields } from './key-usage-fields.util';
import type { UsageProducer } from './threaded-producer';

/**
 * Sends usage events with the app's kafkajs producer on this thread (`usageProducerThread: false`): the
 * events are built here, per batch (encodeUsageMessages), then encoded and sent by kafkajs.
 */
export class InlineProducer implements UsageProducer {
  constructor(
    private readonly producer: Producer,
    private readonly service: string,
  ) {}

  connect(): Promise<void> {
    return this.producer.connect();
  }

  send(topic: string, fields: UsageFields): Promise<unknown> {
    return this.producer.send({ topic, messages: encodeUsageMessages(fields, this.service) });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}
