import { type DynamicModule, type FactoryProvider, Module, type ModuleMetadata } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AdminEventsCursor, AdminEventsCursorSchema } from './admin-events-cursor.schema';
import { AdminEventsFollower } from './admin-events.follower';
import { KeycloakAdminClient } from './keycloak-admin.client';
import { KEYCLOAK_USERS_OPTIONS, type KeycloakUsersOptions } from './keycloak-users.options';
import { UserSyncService } from './user-sync.service';

export interface KeycloakUsersModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: FactoryProvider['inject'];
  useFactory: (...deps: never[]) => KeycloakUsersOptions;
}

const EXPORTED = [AdminEventsFollower, KeycloakAdminClient, UserSyncService];

/**
 * Keycloak as the source of truth for key owners: the admin API client, the sync of a user's keys with their
 * Keycloak account, and the follower of Keycloak's admin events. Needs KeyStoreModule (global) and a
 * MongooseModule connection in the host app.
 */
@Module({})
export class KeycloakUsersModule {
  static forRootAsync(options: KeycloakUsersModuleAsyncOptions): DynamicModule {
    return {
      module: KeycloakUsersModule,
      global: true,
      imports: [
        ...(options.imports ?? []),
        MongooseModule.forFeature([{ name: AdminEventsCursor.name, schema: AdminEventsCursorSchema }]),
      ],
      providers: [
        { provide: KEYCLOAK_USERS_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        ...EXPORTED,
      ],
      exports: EXPORTED,
    };
  }
}
