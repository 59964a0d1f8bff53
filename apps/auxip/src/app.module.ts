import { Module } from '@nestjs/common';
import { AuthGuardModule, JwksKeyProvider } from '@rs/auth-guard';
import { HealthModule, MetricsModule } from '@rs/service-kit';
import { AuxipModule } from './auxip/auxip.module';
import { authGuardOptions, AUXIP_CONFIG, type AuxipConfig } from './config/auxip.config';
import { AuxipConfigModule } from './config/config.module';

@Module({
  imports: [
    AuxipConfigModule,
    MetricsModule,
    AuthGuardModule.forRootAsync({
      inject: [AUXIP_CONFIG],
      useFactory: (config: AuxipConfig) => authGuardOptions(config),
    }),
    HealthModule.forRootAsync({
      inject: [JwksKeyProvider],
      // Only what the service cannot work without: the key manager and Kafka being down degrade it (cached keys, buffered events).
      useFactory: (keycloak: JwksKeyProvider) => [{ name: 'keycloak', check: () => keycloak.ping() }],
    }),
    AuxipModule,
  ],
})
export class AppModule {}
