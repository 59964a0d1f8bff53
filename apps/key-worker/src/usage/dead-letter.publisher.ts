import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { DeadLetterRecordV1 } from '@rs/event-contracts';
import type { Kafka, Producer } from 'kafkajs';
import { KEY_WORKER_CONFIG, type KeyWorkerConfig } from '../config/key-worker.config';
import { USAGE_KAFKA } from './usage.constants';

export interface DeadLetter {
  key: string | null;
  record: DeadLetterRecordV1;
}

/** Sends unusable usage messages to the dead-letter topic, acknowledged by every in-sync replica. */
@Injectable()
export class DeadLetterPublisher implements OnApplicationShutdown {
  private readonly producer: Producer;
  private connected: Promise<void> | null = null;

  constructor(
    @Inject(USAGE_KAFKA) kafka: Kafka,
    @Inject(KEY_WORKER_CONFIG) private readonly config: KeyWorkerConfig,
  ) {
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
  }

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (!letters.length) return;
    await this.connect();
    await this.producer.send({
      topic: this.config.USAGE_DEAD_LETTER_TOPIC,
      acks: -1,
      messages: letters.map(({ key, record }) => ({ key, value: JSON.stringify(record) })),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = null;
      throw error;
    });
    return this.connected;
  }
}
