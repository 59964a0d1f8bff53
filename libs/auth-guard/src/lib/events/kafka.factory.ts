import { createKafkaClient } from '@rs/service-kit';
import type { Kafka } from 'kafkajs';
import type { AuthGuardOptions } from '../auth-guard.options';

/** The app's one kafkajs client (lifecycle consumer and usage publisher); null when it runs without Kafka. */
export function createKafka(options: AuthGuardOptions): Kafka | null {
  if (!options.kafka) return null;
  const { clientId, brokers, security } = options.kafka;
  return createKafkaClient({ clientId, brokers, security });
}
