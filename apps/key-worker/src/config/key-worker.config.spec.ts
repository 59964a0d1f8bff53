import { EnvValidationError } from '@rs/service-kit';
import { loadKeyWorkerConfig, redisConnection } from './key-worker.config';

describe(loadKeyWorkerConfig.name, () => {
  it('should apply the defaults when only the secret is given', () => {
    const config = loadKeyWorkerConfig({ KEYCLOAK_SYNC_CLIENT_SECRET: 'a-long-secret' });
    expect(config.PORT).toBe(3004);
    expect(config.MONGO_URL).toBe('mongodb://127.0.0.1:27017/rs_keys');
    expect(config.USAGE_TOPIC).toBe('rs.apikey.usage.v1');
    expect(config.USAGE_CONSUMER_GROUP).toBe('key-worker.usage');
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it('should list every bad variable at once when several are wrong', () => {
    let error: unknown;
    try {
      loadKeyWorkerConfig({ PORT: 'x', KEY_EXPIRY_EVERY_MS: '-1' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvValidationError);
    expect((error as EnvValidationError).problems).toEqual([
      expect.stringContaining('PORT'),
      expect.stringContaining('KEYCLOAK_SYNC_CLIENT_SECRET'),
      expect.stringContaining('KEY_EXPIRY_EVERY_MS'),
    ]);
  });
});

describe(redisConnection.name, () => {
  it('should read host, port, credentials and database from the URL', () => {
    expect(redisConnection('redis://user:p%40ss@cache:6380/2')).toEqual({
      host: 'cache',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 2,
    });
    expect(redisConnection('redis://127.0.0.1:6379')).toEqual({ host: '127.0.0.1', port: 6379, db: 0 });
  });
});
