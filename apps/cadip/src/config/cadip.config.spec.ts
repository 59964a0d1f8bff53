import { EnvValidationError } from '@rs/service-kit';
import { authGuardOptions, loadCadipConfig } from './cadip.config';

describe(loadCadipConfig.name, () => {
  it('should apply the defaults of a local stack', () => {
    const config = loadCadipConfig({});
    expect(config.PORT).toBe(3002);
    expect(config.KEYCLOAK_URL).toBe('http://127.0.0.1:8180');
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it('should list every bad variable at once', () => {
    try {
      loadCadipConfig({ PORT: 'x', KEY_MANAGER_URL: 'not a url', KAFKA_ENABLED: 'maybe' });
      fail('expected an error');
    } catch (error) {
      expect(error).toBeInstanceOf(EnvValidationError);
      expect((error as EnvValidationError).problems).toHaveLength(3);
    }
  });

  describe(authGuardOptions.name, () => {
    it('should turn Kafka off when asked', () => {
      expect(authGuardOptions(loadCadipConfig({ KAFKA_ENABLED: 'false' })).kafka).toBe(false);
      expect(authGuardOptions(loadCadipConfig({ USAGE_FLUSH_INTERVAL_MS: '250' })).kafka).toMatchObject({
        usageFlushIntervalMs: 250,
      });
      expect(authGuardOptions(loadCadipConfig({})).kafka).toEqual({
        brokers: ['127.0.0.1:9092'],
        clientId: 'cadip',
        usageFlushIntervalMs: 1000,
        // No SASL and no TLS unless configured (KAFKA_SASL_MECHANISM, KAFKA_SSL).
        security: { ssl: false },
      });
    });
  });
});
