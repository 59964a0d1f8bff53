import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';

/** The worker's kafkajs client; kafkajs warnings and errors go to Nest's logger, without payloads. */
export function createUsageKafka(brokers: string[], clientId = 'key-worker'): Kafka {
  const logger = new Logger('Kafka');
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const text = `${log.message}${log['error'] ? ` (${String(log['error'])})` : ''}`;
        if (level === logLevel.ERROR) logger.error(text);
        else logger.warn(text);
      },
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
}
