import { Inject, Module, type NestModule } from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import { MetricsService } from '@rs/service-kit';
import { Registry } from 'prom-client';
import { apiKeyLocationMiddleware } from './api-key/api-key-location.middleware';
import { ApiKeyVerifier } from './api-key/api-key.verifier';
import { KeyManagerClient } from './api-key/key-manager.client';
import { AUTH_KAFKA, AUTH_METRICS_REGISTRY } from './auth-guard.constants';
import { AuthGuardMetrics } from './auth-guard.metrics';
import { AUTH_GUARD_OPTIONS, AuthGuardConfigurableModule } from './auth-guard.module-definition';
import { type AuthGuardOptions, resolveQuotaOptions } from './auth-guard.options';
import { AuthenticationGuard } from './authentication.guard';
import { createKafka } from './events/kafka.factory';
import { KeyEventsStatus } from './events/key-events.status';
import { KeyLifecycleConsumer } from './events/key-lifecycle.consumer';
import { KeyUsagePublisher } from './events/key-usage.publisher';
import { KeyUsageRecorder } from './events/key-usage.recorder';
import { ApiKeyAuthenticator } from './strategies/api-key.authenticator';
import { JwksKeyProvider } from './strategies/jwks-key.provider';
import { KeycloakTokenAuthenticator } from './strategies/keycloak-token.authenticator';
import { ServiceTokenProvider } from './strategies/service-token.provider';
import { KeyQuotaEnforcer } from './quota/key-quota.enforcer';
import { QUOTA_STORE } from './quota/quota.constants';
import { RedisQuotaStore } from './quota/quota.store';

/**
 * The shared guard: import once in an app's root module with `AuthGuardModule.forRoot({...})` or
 * `AuthGuardModule.forRootAsync({ inject, useFactory })`. Registers the global guard (deny by default),
 * the API key cache with Kafka eviction, usage events, and the middleware that accepts `api-key=` and
 * `/k/<key>/` in URLs.
 */
@Module({
  providers: [
    {
      provide: AUTH_METRICS_REGISTRY,
      inject: [AUTH_GUARD_OPTIONS, { token: MetricsService, optional: true }],
      useFactory: (options: AuthGuardOptions, metrics?: MetricsService) =>
        options.metricsRegistry ?? metrics?.registry ?? new Registry(),
    },
    { provide: AUTH_KAFKA, inject: [AUTH_GUARD_OPTIONS], useFactory: createKafka },
    AuthGuardMetrics,
    JwksKeyProvider,
    KeycloakTokenAuthenticator,
    ServiceTokenProvider,
    KeyManagerClient,
    KeyEventsStatus,
    ApiKeyVerifier,
    ApiKeyAuthenticator,
    KeyLifecycleConsumer,
    KeyUsagePublisher,
    KeyUsageRecorder,
    {
      provide: QUOTA_STORE,
      inject: [AUTH_GUARD_OPTIONS],
      useFactory: ({ quota, apiKey }: AuthGuardOptions) =>
        quota && apiKey !== false
          ? new RedisQuotaStore(quota.redisUrl, resolveQuotaOptions(quota).commandTimeoutMs)
          : null,
    },
    KeyQuotaEnforcer,
    AuthenticationGuard,
    { provide: APP_GUARD, useExisting: AuthenticationGuard },
  ],
  exports: [ApiKeyVerifier, KeyEventsStatus, KeyUsagePublisher, JwksKeyProvider, KeycloakTokenAuthenticator],
})
export class AuthGuardModule extends AuthGuardConfigurableModule implements NestModule {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(AUTH_GUARD_OPTIONS) private readonly options: AuthGuardOptions,
  ) {
    super();
  }

  configure(): void {
    // Without API keys, `api-key=` in a URL is not a credential (the key manager's revoke names a key with it).
    if (!this.options || this.options.apiKey === false) return;
    // Registered on the HTTP adapter itself, not through MiddlewareConsumer: it must run before routing
    // (it rewrites the URL), and Nest mounts consumer middleware on route paths.
    this.adapterHost?.httpAdapter?.use(apiKeyLocationMiddleware);
  }
}
