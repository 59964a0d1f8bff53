import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthGuardModule, JwksKeyProvider } from '@rs/auth-guard';
import { HealthModule, MetricsModule } from '@rs/service-kit';
import { CatalogModule } from './catalog/catalog.module';
import { CatalogRepository } from './catalog/catalog.repository';
import { authGuardOptions, CATALOG_CONFIG, type CatalogConfig } from './config/catalog.config';
import { CatalogConfigModule } from './config/config.module';

@Module({
  imports: [
    CatalogConfigModule,
    MetricsModule,
    MongooseModule.forRootAsync({
      inject: [CATALOG_CONFIG],
      useFactory: (config: CatalogConfig) => ({
        uri: config.MONGO_URL,
        // Indexes are created explicitly (only kinds the local Mongo-wire DB supports).
        autoIndex: false,
        // Fail fast (503) instead of queueing requests while the database is away; the driver reconnects by itself.
        bufferCommands: false,
        serverSelectionTimeoutMS: 2000,
      }),
    }),
    AuthGuardModule.forRootAsync({
      inject: [CATALOG_CONFIG],
      useFactory: (config: CatalogConfig) => authGuardOptions(config),
    }),
    CatalogModule,
    HealthModule.forRootAsync({
      imports: [CatalogModule],
      inject: [CatalogRepository, JwksKeyProvider],
      useFactory: (catalog: CatalogRepository, keycloak: JwksKeyProvider) => [
        { name: 'mongodb', check: () => catalog.ping() },
        { name: 'keycloak', check: () => keycloak.ping() },
      ],
    }),
  ],
})
export class AppModule {}
