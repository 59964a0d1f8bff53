import { env, EnvValidationError, readEnv } from './env.util';

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
