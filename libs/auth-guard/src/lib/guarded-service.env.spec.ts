import { EnvValidationError, readEnv } from '@rs/service-kit';
import { guardedServiceEnv, guardedServiceOptions } from './guarded-service.env';

describe(guardedServiceOptions.name, () => {
  const configOf = (source: NodeJS.ProcessEnv) => readEnv(guardedServiceEnv(3001), source);

  it('should check keys without a service token when no client is configured', () => {
    const options = guardedServiceOptions('auxip', configOf({}));
    expect(options.apiKey && options.apiKey.serviceCredentials).toBeUndefined();
  });

  it("should check keys with the service's own client when both variables are set", () => {
    const options = guardedServiceOptions(
      'auxip',
      configOf({ KEY_CHECK_CLIENT_ID: 'rs-auxip', KEY_CHECK_CLIENT_SECRET: 'secret-of-auxip' }),
    );
    expect(options.apiKey && options.apiKey.serviceCredentials).toEqual({
      clientId: 'rs-auxip',
      clientSecret: 'secret-of-auxip',
    });
  });

  it('should refuse a client without its secret', () => {
    expect(() => guardedServiceOptions('auxip', configOf({ KEY_CHECK_CLIENT_ID: 'rs-auxip' }))).toThrow(
      EnvValidationError,
    );
  });

  it('should pass the azp allow-list and trust no proxy by default', () => {
    const config = configOf({ KEYCLOAK_ALLOWED_AZP: 'swagger-ui, rs-cli' });
    expect(guardedServiceOptions('auxip', config).keycloak.allowedAzp).toEqual(['swagger-ui', 'rs-cli']);
    expect(config.TRUST_PROXY).toBe(false);
  });

  it('should apply the defaults of a local stack, on the port the service gives', () => {
    const config = configOf({});
    expect([config.PORT, config.KEYCLOAK_URL, config.KAFKA_BROKERS]).toEqual([
      3001,
      'http://127.0.0.1:8180',
      ['127.0.0.1:9092'],
    ]);
  });

  it('should enforce key limits through REDIS_URL, and not at all without it', () => {
    expect(guardedServiceOptions('cadip', configOf({})).quota).toBe(false);
    expect(guardedServiceOptions('cadip', configOf({ REDIS_URL: 'redis://127.0.0.1:6379' })).quota).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      maxBatch: 1000,
    });
  });

  it('should list every bad variable at once', () => {
    let thrown: unknown;
    try {
      configOf({ PORT: 'x', KEY_MANAGER_URL: 'not a url', KAFKA_ENABLED: 'maybe' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EnvValidationError);
    expect((thrown as EnvValidationError).problems).toHaveLength(3);
  });

  it('should publish usage with the service as Kafka client, and turn Kafka off when asked', () => {
    expect(guardedServiceOptions('cadip', configOf({ KAFKA_ENABLED: 'false' })).kafka).toBe(false);
    expect(guardedServiceOptions('cadip', configOf({ USAGE_FLUSH_INTERVAL_MS: '250' })).kafka).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'cadip',
      usageFlushIntervalMs: 250,
      // No SASL and no TLS unless configured (KAFKA_SASL_MECHANISM, KAFKA_SSL).
      security: { ssl: false },
    });
  });
});
