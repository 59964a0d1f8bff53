import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthGuardOptions } from './auth-guard.options';

export const {
  ConfigurableModuleClass: AuthGuardConfigurableModule,
  MODULE_OPTIONS_TOKEN: AUTH_GUARD_OPTIONS,
  OPTIONS_TYPE: AUTH_GUARD_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_GUARD_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthGuardOptions>().setClassMethodName('forRoot').build();
