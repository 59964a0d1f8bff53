import { EnvValidationError, readEnv } from '../env.util';
import { KAFKA_ENV } from '../platform-env';
import { kafkaSecurity } from './kafka.factory';

const kafkaEnv = (source: NodeJS.ProcessEnv) => readEnv(KAFKA_ENV, source);

describe(kafkaSecurity.name, () => {
  it('should connect without SASL or TLS when nothing is set', () => {
    expect(kafkaSecurity(kafkaEnv({}))).toEqual({ ssl: false });
  });

  it('should pass a SCRAM user and TLS to kafkajs when configured', () => {
    const security = kafkaSecurity(
      kafkaEnv({
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_USERNAME: 'guard',
        KAFKA_PASSWORD: 'a-long-password',
        KAFKA_SSL: 'true',
      }),
    );

    expect(security).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'guard', password: 'a-long-password' },
      ssl: true,
    });
  });

  it('should refuse a mechanism without a user and a password', () => {
    expect(() => kafkaSecurity(kafkaEnv({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_USERNAME: 'guard' }))).toThrow(
      EnvValidationError,
    );
  });

  it('should refuse credentials when the mechanism is none', () => {
    expect(() => kafkaSecurity(kafkaEnv({ KAFKA_USERNAME: 'guard', KAFKA_PASSWORD: 'a-long-password' }))).toThrow(
      /KAFKA_SASL_MECHANISM is none/,
    );
  });

  it('should refuse an unknown mechanism when the environment is read', () => {
    expect(() => kafkaEnv({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM: one of none, plain/);
  });

  it('should refuse a development password in production', () => {
    expect(() =>
      kafkaEnv({
        NODE_ENV: 'production',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_USERNAME: 'guard',
        KAFKA_PASSWORD: 'guard-kafka-dev-secret',
      }),
    ).toThrow(/KAFKA_PASSWORD holds a known development secret/);
  });
});
