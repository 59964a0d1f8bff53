import { EnvValidationError } from '@rs/service-kit';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KEY_WORKER_ENV, loadKeyWorkerConfig, redisConnection } from './key-worker.config';

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

describe('SMTP settings', () => {
  const SECRET = { KEYCLOAK_SYNC_CLIENT_SECRET: 'a-long-secret' };
  const problemsOf = (source: Record<string, string>): string[] => {
    try {
      loadKeyWorkerConfig({ ...SECRET, ...source });
      return [];
    } catch (error) {
      return (error as EnvValidationError).problems;
    }
  };

  it('should leave mail off by default', () => {
    expect(loadKeyWorkerConfig(SECRET)).toMatchObject({ SMTP_HOST: undefined, SMTP_SECURITY: 'starttls' });
  });

  it('should refuse plain SMTP to another host unless explicitly allowed', () => {
    const plain = { SMTP_HOST: 'relay.example.org', SMTP_SECURITY: 'none', SMTP_FROM: 'keys@example.org' };
    expect(problemsOf(plain)).toEqual([expect.stringContaining('SMTP_SECURITY=none')]);
    expect(problemsOf({ ...plain, SMTP_ALLOW_INSECURE: 'true' })).toEqual([]);
    expect(problemsOf({ ...plain, SMTP_HOST: '127.0.0.1' })).toEqual([]);
  });

  it('should refuse an unknown security mode', () => {
    expect(problemsOf({ SMTP_SECURITY: 'ssl' })).toEqual([expect.stringContaining('SMTP_SECURITY')]);
  });
});

describe('.env.example', () => {
  const lines = readFileSync(path.join(__dirname, '..', '..', '.env.example'), 'utf8').split('\n');
  // NODE_OPTIONS is Node's own, set where the process starts: not read by the app.
  const entries = lines
    .map((line) => /^#? ?([A-Z][A-Z0-9_]+)=(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null && match[1] !== 'NODE_OPTIONS');
  const SECRET = { KEYCLOAK_SYNC_CLIENT_SECRET: 'a-long-secret' };

  it('should list every variable of the configuration', () => {
    expect([...new Set(entries.map((match) => match[1]))].sort()).toEqual(Object.keys(KEY_WORKER_ENV).sort());
  });

  it('should show the defaults', () => {
    const given = Object.fromEntries(
      entries.filter((match) => !match[0].startsWith('#')).map((match) => [match[1], match[2]]),
    );
    expect(loadKeyWorkerConfig({ ...given, ...SECRET })).toEqual(loadKeyWorkerConfig(SECRET));
  });
});
