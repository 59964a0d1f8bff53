export { Public, IS_PUBLIC_KEY } from '@rs/service-kit';
export * from './lib/auth-guard.constants';
export * from './lib/auth-guard.module';
export { AUTH_GUARD_OPTIONS } from './lib/auth-guard.module-definition';
export * from './lib/auth-guard.options';
export * from './lib/auth-principal';
export * from './lib/authentication.guard';

export * from './lib/decorators/api-auth.decorator';
export * from './lib/decorators/bearer-only.decorator';
export * from './lib/decorators/current-principal.decorator';
export * from './lib/decorators/require-roles.decorator';
export { ApiKeyVerifier } from './lib/api-key/api-key.verifier';
export { apiKeyLocationMiddleware } from './lib/api-key/api-key-location.middleware';
export { KeyEventsStatus } from './lib/events/key-events.status';
export { KeyUsagePublisher } from './lib/events/key-usage.publisher';
export { JwksKeyProvider } from './lib/strategies/jwks-key.provider';
export { KeycloakTokenAuthenticator } from './lib/strategies/keycloak-token.authenticator';
export * from './lib/guarded-service.env';
