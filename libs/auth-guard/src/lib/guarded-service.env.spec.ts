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
});
