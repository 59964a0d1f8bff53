import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { AuthGuardOptions, KafkaOptions } from '../auth-guard.options';
import type { ThreadedProducerConfig } from './threaded-producer';

/** The client settings every kafkajs client of the guard uses (plain data: the usage thread gets them too). */
export function kafkaClientConfig(options: KafkaOptions): ThreadedProducerConfig['client'] {
  return { clientId: options.clientId, brokers: options.brokers, connectionTimeout: 3000, retry: { initialRetryTime: 300, retries: 3 } };
}

/** One kafkajs client per app; null when the app runs without Kafka. kafkajs logs go to Nest's Logger at debug. */
export function createKafka(options: AuthGuardOptions): Kafka | null {
  if (!options.kafka) return null;
  const logger = new Logger('kafkajs');
  return new Kafka({
    ...kafkaClientConfig(options.kafka),
    logLevel: logLevel.WARN,
    // Connection failures are reported once by our own loops; kafkajs repeats them on every retry.
    logCreator: () => (entry: LogEntry) => logger.debug(`${entry.namespace}: ${entry.log.message}`),
  });
}
