import { EnvValidationError } from '@rs/service-kit';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KEY_MANAGER_ENV, keyPolicyOf, loadKeyManagerConfig } from './key-manager.config';

const SECRETS = { API_KEY_HASH_SECRET: 'x'.repeat(32), KEYCLOAK_SYNC_CLIENT_SECRET: 'a-long-secret' };

function problemsOf(source: Record<string, string>): string[] {
  try {
    loadKeyManagerConfig(source);
  } catch (error) {
    if (error instanceof EnvValidationError) return error.problems;
    throw error;
  }
  return [];
}

describe(loadKeyManagerConfig.name, () => {
  it('should default to RS-Server’s key policy: never-expiring keys allowed, 100 active keys per user', () => {
    const config = loadKeyManagerConfig(SECRETS);
    expect(keyPolicyOf(config)).toEqual({ maxLifetimeDays: 365, allowNeverExpires: true, maxActiveKeysPerUser: 100 });
    expect(config.API_KEY_DEFAULT_LIFETIME_DAYS).toBe(15);
  });

  it('should read the policy variables', () => {
    const config = loadKeyManagerConfig({
      ...SECRETS,
      API_KEY_MAX_LIFETIME_DAYS: '90',
      API_KEY_ALLOW_NEVER_EXPIRES: 'false',
      API_KEY_MAX_ACTIVE_PER_USER: '5',
    });
    expect(keyPolicyOf(config)).toEqual({ maxLifetimeDays: 90, allowNeverExpires: false, maxActiveKeysPerUser: 5 });
  });

  it('should refuse a default lifetime longer than the maximum', () => {
    expect(problemsOf({ ...SECRETS, API_KEY_DEFAULT_LIFETIME_DAYS: '30', API_KEY_MAX_LIFETIME_DAYS: '20' })).toEqual([
      expect.stringContaining('API_KEY_DEFAULT_LIFETIME_DAYS (30) must not exceed API_KEY_MAX_LIFETIME_DAYS (20)'),
    ]);
  });

  it('should refuse a cap below one and a flag that is not a boolean', () => {
    expect(
      problemsOf({ ...SECRETS, API_KEY_MAX_ACTIVE_PER_USER: '0', API_KEY_ALLOW_NEVER_EXPIRES: 'perhaps' }),
    ).toEqual([
      expect.stringContaining('API_KEY_ALLOW_NEVER_EXPIRES'),
      expect.stringContaining('API_KEY_MAX_ACTIVE_PER_USER'),
    ]);
  });
});

describe('.env.example', () => {
  const lines = readFileSync(path.join(__dirname, '..', '..', '.env.example'), 'utf8').split('\n');
  const entries = lines
    .map((line) => /^#? ?([A-Z][A-Z0-9_]+)=(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null);

  it('should list every variable of the configuration', () => {
    expect(entries.map((match) => match[1]).sort()).toEqual(Object.keys(KEY_MANAGER_ENV).sort());
  });

  it('should show the defaults', () => {
    const given = Object.fromEntries(
      entries.filter((match) => !match[0].startsWith('#')).map((match) => [match[1], match[2]]),
    );
    expect(loadKeyManagerConfig({ ...given, ...SECRETS })).toEqual(loadKeyManagerConfig(SECRETS));
  });
});
