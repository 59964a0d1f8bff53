import { Logger } from '@nestjs/common';
import { Kafka, type KafkaConfig, logLevel, type LogEntry } from 'kafkajs';

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  /** kafkajs's retry of one request (its own reconnects); the callers' loops retry beyond it. */
  retry?: KafkaConfig['retry'];
  connectionTimeout?: number;
  requestTimeout?: number;
}

/**
 * The platform's kafkajs client. kafkajs warnings and errors go to Nest's Logger at debug level: each caller
 * reports an outage once from its own retry loop, where kafkajs would repeat it on every attempt. Payloads
 * are never logged.
 */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const logger = new Logger('kafkajs');
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeout ?? 3000,
    requestTimeout: options.requestTimeout,
    retry: options.retry ?? { initialRetryTime: 300, retries: 3 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => logger.debug(`${entry.namespace}: ${entry.log.message}`),
  });
}
