import { type DynamicModule, type FactoryProvider, Module, type ModuleMetadata } from '@nestjs/common';
import { KeycloakAdminClient } from './keycloak-admin.client';
import { KEYCLOAK_USERS_OPTIONS, type KeycloakUsersOptions } from './keycloak-users.options';
import { UserSyncService } from './user-sync.service';

export interface KeycloakUsersModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: FactoryProvider['inject'];
  useFactory: (...deps: never[]) => KeycloakUsersOptions;
}

const EXPORTED = [KeycloakAdminClient, UserSyncService];

/**
 * Keycloak as the source of truth for key owners: the admin API client and the sync of a user's keys with
 * their Keycloak account. Needs KeyStoreModule (global) in the host app.
 */
@Module({})
export class KeycloakUsersModule {
  static forRootAsync(options: KeycloakUsersModuleAsyncOptions): DynamicModule {
    return {
      module: KeycloakUsersModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: KEYCLOAK_USERS_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        ...EXPORTED,
      ],
      exports: EXPORTED,
    };
  }
}
