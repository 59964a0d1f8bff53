import { EnvValidationError } from '@rs/service-kit';
import { authGuardOptions, loadCatalogConfig } from './catalog.config';

describe(loadCatalogConfig.name, () => {
  it('should apply the defaults of a local stack', () => {
    const config = loadCatalogConfig({});
    expect(config.PORT).toBe(3003);
    expect(config.MONGO_URL).toBe('mongodb://127.0.0.1:27017/rs_catalog');
    expect(config.CATALOG_SEED_SAMPLES).toBe(true);
  });

  it('should list every bad variable at once', () => {
    expect(() => loadCatalogConfig({ PORT: '-1', CATALOG_SEED_SAMPLES: 'perhaps' })).toThrow(EnvValidationError);
    try {
      loadCatalogConfig({ PORT: '-1', CATALOG_SEED_SAMPLES: 'perhaps' });
    } catch (error) {
      expect((error as EnvValidationError).problems).toHaveLength(2);
    }
  });

  describe(authGuardOptions.name, () => {
    it('should name the service catalog in usage events', () => {
      expect(authGuardOptions(loadCatalogConfig({})).serviceName).toBe('catalog');
      expect(authGuardOptions(loadCatalogConfig({ KAFKA_ENABLED: 'no' })).kafka).toBe(false);
    });
  });
});
