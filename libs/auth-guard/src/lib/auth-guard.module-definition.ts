import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthGuardOptions } from './auth-guard.options';

export const {
  ConfigurableModuleClass: AuthGuardConfigurableModule,
  MODULE_OPTIONS_TOKEN: AUTH_GUARD_OPTIONS,
  OPTIONS_TYPE: AUTH_GUARD_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_GUARD_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthGuardOptions>()
  .setClassMethodName('forRoot')
  // Global by default: health checks and feature modules can inject the exported services without importing it.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
