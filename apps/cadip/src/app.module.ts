import { Module } from '@nestjs/common';
import { AuthGuardModule, JwksKeyProvider } from '@rs/auth-guard';
import { HealthModule, MetricsModule } from '@rs/service-kit';
import { CadipModule } from './cadip/cadip.module';
import { authGuardOptions, CADIP_CONFIG, type CadipConfig } from './config/cadip.config';
import { CadipConfigModule } from './config/config.module';

@Module({
  imports: [
    CadipConfigModule,
    MetricsModule,
    AuthGuardModule.forRootAsync({
      inject: [CADIP_CONFIG],
      useFactory: (config: CadipConfig) => authGuardOptions(config),
    }),
    HealthModule.forRootAsync({
      inject: [JwksKeyProvider],
      // Only what the service cannot work without: the key manager and Kafka being down degrade it (cached keys, buffered events).
      useFactory: (keycloak: JwksKeyProvider) => [{ name: 'keycloak', check: () => keycloak.ping() }],
    }),
    CadipModule,
  ],
})
export class AppModule {}
