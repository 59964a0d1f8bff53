import { type DynamicModule, type FactoryProvider, type ModuleMetadata, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HEALTH_CHECKS, type HealthCheck } from './health.types';

export interface HealthModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: FactoryProvider['inject'];
  useFactory: (...deps: never[]) => HealthCheck[];
}

/** GET /health (liveness) and GET /health/ready (each dependency checked, 503 naming what is down). */
@Module({})
export class HealthModule {
  static forRootAsync(options: HealthModuleAsyncOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: options.imports ?? [],
      controllers: [HealthController],
      providers: [{ provide: HEALTH_CHECKS, inject: options.inject ?? [], useFactory: options.useFactory }],
    };
  }
}
