import { Logger } from '@nestjs/common';
import { Kafka, type KafkaConfig, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';
import { EnvValidationError } from '../env.util';
import type { KafkaEnv } from '../platform-env';

/** How a client authenticates to the brokers: SASL credentials and TLS (kafkajs options). */
export interface KafkaSecurity {
  sasl?: SASLOptions;
  ssl?: boolean;
}

/**
 * The Kafka security settings of KAFKA_ENV, checked together: a mechanism needs a user and a password, and
 * credentials without a mechanism are refused rather than silently unused.
 */
export function kafkaSecurity(config: KafkaEnv): KafkaSecurity {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_USERNAME: username, KAFKA_PASSWORD: password } = config;
  if (mechanism === 'none') {
    if (username || password)
      throw new EnvValidationError(['KAFKA_USERNAME/KAFKA_PASSWORD are set but KAFKA_SASL_MECHANISM is none']);
    return { ssl: config.KAFKA_SSL };
  }
  if (!username || !password)
    throw new EnvValidationError([`KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_USERNAME and KAFKA_PASSWORD`]);
  return { sasl: { mechanism, username, password } as SASLOptions, ssl: config.KAFKA_SSL };
}

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  /** kafkajs's retry of one request (its own reconnects); the callers' loops retry beyond it. */
  retry?: KafkaConfig['retry'];
  connectionTimeout?: number;
  requestTimeout?: number;
  /** SASL and TLS, from kafkaSecurity(config); none: an unauthenticated plaintext connection. */
  security?: KafkaSecurity;
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
    ...options.security,
    connectionTimeout: options.connectionTimeout ?? 3000,
    requestTimeout: options.requestTimeout,
    retry: options.retry ?? { initialRetryTime: 300, retries: 3 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => logger.debug(`${entry.namespace}: ${entry.log.message}`),
  });
}
