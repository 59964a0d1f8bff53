import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { env, EnvValidationError, PRODUCTION_SECRET_MIN_LENGTH, readEnv } from './env.util';

describe(readEnv.name, () => {
  const schema = {
    PORT: env.int(3000, { min: 1, max: 65535 }),
    DEBUG: env.bool(false),
    KEYCLOAK_URL: env.url('http://127.0.0.1:8180/'),
    BROKERS: env.list('a:1,b:2'),
    SECRET: env.secret(16),
  };

  it('should apply defaults and parse values', () => {
    expect(readEnv(schema, { SECRET: 'x'.repeat(16), DEBUG: 'yes' })).toEqual({
      PORT: 3000,
      DEBUG: true,
      KEYCLOAK_URL: 'http://127.0.0.1:8180',
      BROKERS: ['a:1', 'b:2'],
      SECRET: 'x'.repeat(16),
    });
  });

  it('should list every bad variable at once', () => {
    try {
      readEnv(schema, { PORT: '70000', DEBUG: 'maybe', KEYCLOAK_URL: 'not a url' });
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(EnvValidationError);
      expect((error as EnvValidationError).problems).toEqual([
        "PORT must be an integer in [1, 65535], got '70000'",
        "DEBUG must be true or false, got 'maybe'",
        "KEYCLOAK_URL must be a URL, got 'not a url'",
        'SECRET is required',
      ]);
    }
  });
});

describe('env.trustProxy', () => {
  const parse = env.trustProxy();

  it('should trust no proxy when unset or none', () => {
    expect(parse(undefined, 'TRUST_PROXY')).toBe(false);
    expect(parse('none', 'TRUST_PROXY')).toBe(false);
  });

  it('should accept explicit addresses and CIDRs of both families, and loopback', () => {
    expect(parse(' 10.0.0.5, 10.1.0.0/16,::1,fd00::/8 ', 'TRUST_PROXY')).toBe('10.0.0.5,10.1.0.0/16,::1,fd00::/8');
    expect(parse('loopback,10.0.0.5', 'TRUST_PROXY')).toBe('loopback,10.0.0.5');
  });

  it.each([
    'uniquelocal',
    'linklocal',
    'loopback,uniquelocal',
    'true',
    '2',
    '10.0.0.0/33',
    '10.0.0.1/8/1',
    'proxy.example.org',
  ])("should refuse '%s', which is not an explicit address or CIDR", (value) => {
    expect(() => readEnv({ TRUST_PROXY: parse }, { TRUST_PROXY: value })).toThrow(/TRUST_PROXY must list proxy/);
  });
});

describe('production settings', () => {
  const schema = {
    API_KEY_HASH_SECRET: env.secret(32),
    KEYCLOAK_SYNC_CLIENT_SECRET: env.secret(8),
    KEY_CHECK_CLIENT_SECRET: env.optionalSecret(8),
    ADMIN_PASSWORD: env.string('admin'),
    MONGO_URL: env.string('mongodb://127.0.0.1:27017/rs'),
  };
  const strong = (seed: string) => `${seed}-${'k'.repeat(40)}`;
  const good = {
    API_KEY_HASH_SECRET: strong('a'),
    KEYCLOAK_SYNC_CLIENT_SECRET: strong('b'),
    ADMIN_PASSWORD: strong('c'),
  };

  function problemsOf(source: NodeJS.ProcessEnv): string[] {
    try {
      readEnv(schema, { NODE_ENV: 'production', RS_STACK_DIR: '/nonexistent', ...source });
      return [];
    } catch (error) {
      return (error as EnvValidationError).problems;
    }
  }

  it('should accept strong secrets in production', () => {
    expect(problemsOf(good)).toEqual([]);
  });

  it('should accept development secrets outside production', () => {
    expect(() =>
      readEnv(schema, {
        API_KEY_HASH_SECRET: 'change-me-development-only-hash-secret',
        KEYCLOAK_SYNC_CLIENT_SECRET: 'rs-key-manager-dev-secret',
      }),
    ).not.toThrow();
  });

  it('should refuse a known development secret, naming the variable', () => {
    expect(problemsOf({ ...good, KEYCLOAK_SYNC_CLIENT_SECRET: 'rs-key-manager-dev-secret' })).toEqual([
      'KEYCLOAK_SYNC_CLIENT_SECRET holds a known development secret (NODE_ENV=production)',
    ]);
  });

  it('should refuse a value marked as a placeholder, whatever its length', () => {
    expect(problemsOf({ ...good, API_KEY_HASH_SECRET: 'change-me-development-only-hash-secret' })).toEqual([
      'API_KEY_HASH_SECRET holds a known development secret (NODE_ENV=production)',
    ]);
  });

  it('should refuse a secret shorter than the production minimum', () => {
    expect(problemsOf({ ...good, KEYCLOAK_SYNC_CLIENT_SECRET: 'x'.repeat(PRODUCTION_SECRET_MIN_LENGTH - 1) })).toEqual([
      `KEYCLOAK_SYNC_CLIENT_SECRET must be at least ${PRODUCTION_SECRET_MIN_LENGTH} characters in production (NODE_ENV=production)`,
    ]);
  });

  it('should refuse admin as a password, a default included', () => {
    expect(problemsOf({ ...good, ADMIN_PASSWORD: undefined })).toEqual([
      'ADMIN_PASSWORD holds a known development secret (NODE_ENV=production)',
    ]);
  });

  it('should check an optional secret only when it is set', () => {
    expect(problemsOf({ ...good, KEY_CHECK_CLIENT_SECRET: 'rs-auxip-dev-secret' })).toEqual([
      'KEY_CHECK_CLIENT_SECRET holds a known development secret (NODE_ENV=production)',
    ]);
  });

  it('should refuse a development password inside a URL', () => {
    expect(problemsOf({ ...good, MONGO_URL: 'mongodb://admin:admin@mongo:27017/rs' })).toEqual([
      'MONGO_URL holds a known development password (NODE_ENV=production)',
    ]);
  });

  it('should list every offending variable at once', () => {
    expect(
      problemsOf({
        API_KEY_HASH_SECRET: 'change-me-development-only-hash-secret',
        KEYCLOAK_SYNC_CLIENT_SECRET: 'short-but-8',
      }),
    ).toHaveLength(3);
  });

  it('should refuse the secrets tools/apps.mjs generated for this clone', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-stack-'));
    const generated = strong('generated');
    fs.writeFileSync(path.join(directory, 'dev-secrets.json'), JSON.stringify({ API_KEY_HASH_SECRET: generated }));
    expect(problemsOf({ ...good, API_KEY_HASH_SECRET: generated, RS_STACK_DIR: directory })).toEqual([
      'API_KEY_HASH_SECRET holds a known development secret (NODE_ENV=production)',
    ]);
    fs.rmSync(directory, { recursive: true });
  });
});

describe('env.optionalInt', () => {
  const schema = { LIMIT: env.optionalInt({ min: 1, max: 10 }) };

  it('should be undefined when unset or empty and parse a value in bounds', () => {
    expect(readEnv(schema, {})).toEqual({ LIMIT: undefined });
    expect(readEnv(schema, { LIMIT: '' })).toEqual({ LIMIT: undefined });
    expect(readEnv(schema, { LIMIT: '7' })).toEqual({ LIMIT: 7 });
  });

  it('should refuse a value out of bounds or not an integer', () => {
    expect(() => readEnv(schema, { LIMIT: '11' })).toThrow("LIMIT must be an integer in [1, 10], got '11'");
    expect(() => readEnv(schema, { LIMIT: 'many' })).toThrow("LIMIT must be an integer in [1, 10], got 'many'");
  });
});
