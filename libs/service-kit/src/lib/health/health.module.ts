import { type DynamicModule, type FactoryProvider, type ModuleMetadata, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HEALTH_CHECKS, type HealthCheck } from './health.types';
import { ManagementServer } from './management.server';
import { ReadinessService } from './readiness.service';

export interface HealthModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: FactoryProvider['inject'];
  useFactory: (...deps: never[]) => HealthCheck[];
}

/**
 * GET /health (liveness) and GET /health/ready (200 or 503, nothing more) on the app's port; the management
 * listener (ManagementServer: /metrics and each dependency's state) is started by listenWithManagement.
 */
@Module({})
export class HealthModule {
  static forRootAsync(options: HealthModuleAsyncOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: options.imports ?? [],
      controllers: [HealthController],
      providers: [
        { provide: HEALTH_CHECKS, inject: options.inject ?? [], useFactory: options.useFactory },
        ReadinessService,
        ManagementServer,
      ],
      exports: [ReadinessService, ManagementServer],
    };
  }
}
