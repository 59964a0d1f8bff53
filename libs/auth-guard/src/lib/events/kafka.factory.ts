import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { AuthGuardOptions } from '../auth-guard.options';

/** One kafkajs client per app; null when the app runs without Kafka. kafkajs logs go to Nest's Logger at debug. */
export function createKafka(options: AuthGuardOptions): Kafka | null {
  if (!options.kafka) return null;
  const logger = new Logger('kafkajs');
  return new Kafka({
    clientId: options.kafka.clientId,
    brokers: options.kafka.brokers,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 300, retries: 3 },
    logLevel: logLevel.WARN,
    // Connection failures are reported once by our own loops; kafkajs repeats them on every retry.
    logCreator: () => (entry: LogEntry) => logger.debug(`${entry.namespace}: ${entry.log.message}`),
  });
}
