import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ApiKeysRepository,
  auditAndPublish,
  AuditRepository,
  LifecycleEventsPublisher,
  parseStoredConfig,
} from '@rs/key-store';
import { KeycloakAdminClient, type KeycloakUser } from './keycloak-admin.client';
import { KEYCLOAK_USERS_OPTIONS, type KeycloakUsersOptions } from './keycloak-users.options';

export const SYSTEM_SYNC_ACTOR = 'system:keycloak-sync';

export interface SyncedUser {
  active: boolean;
  user: KeycloakUser | null;
}

/**
 * Brings a user's keys in line with Keycloak: enabled flag, realm roles and the configured attributes.
 * A disabled or deleted user's keys stop working at once (audit + `user_disabled` events per key).
 */
@Injectable()
export class UserSyncService {
  private readonly logger = new Logger(UserSyncService.name);

  constructor(
    @Inject(KEYCLOAK_USERS_OPTIONS) private readonly options: KeycloakUsersOptions,
    private readonly keycloak: KeycloakAdminClient,
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditRepository,
    private readonly events: LifecycleEventsPublisher,
  ) {}

  /** Only the attributes named in the options' configAttributes reach a key's config. */
  attributesForConfig(user: KeycloakUser): Record<string, unknown> {
    return Object.fromEntries(
      this.options.configAttributes
        .filter((name) => name in user.attributes)
        .map((name) => [name, user.attributes[name]]),
    );
  }

  async syncUser(userId: string, now: Date): Promise<SyncedUser> {
    const user = await this.keycloak.getUser(userId);
    const active = Boolean(user?.enabled);
    const owned = await this.keys.listByOwner(userId);
    if (!active) {
      const newlyDisabled = owned.filter((key) => key.user_active);
      await this.keys.updateUserKeys(userId, { user_active: false, latest_sync_date: now });
      if (newlyDisabled.length) await this.keys.markUserDisabled(userId, true);
      if (newlyDisabled.length) {
        const reason = user ? 'user disabled in Keycloak' : 'user deleted from Keycloak';
        this.logger.log(`User ${userId}: ${reason}; ${newlyDisabled.length} key(s) stop working`);
        await auditAndPublish(
          this.audit,
          this.events,
          newlyDisabled.map((key) => ({
            key_id: key._id,
            user_id: userId,
            actor: SYSTEM_SYNC_ACTOR,
            action: 'user_disabled' as const,
            reason,
            at: now,
          })),
          newlyDisabled.map((key) => ({
            action: 'user_disabled' as const,
            key_id: key._id,
            user_id: userId,
            actor: SYSTEM_SYNC_ACTOR,
            reason,
          })),
        );
      }
      return { active, user };
    }
    const attributes = this.attributesForConfig(user as KeycloakUser);
    if (owned.some((key) => !key.user_active)) await this.keys.markUserDisabled(userId, false);
    for (const key of owned) {
      const config = { ...parseStoredConfig(key.config_json), ...attributes };
      await this.keys.update(key._id, {
        user_active: true,
        user_login: (user as KeycloakUser).username,
        iam_roles: (user as KeycloakUser).realmRoles,
        config_json: JSON.stringify(config),
        latest_sync_date: now,
      });
      if (!key.user_active) {
        await this.audit.record([
          {
            key_id: key._id,
            user_id: userId,
            actor: SYSTEM_SYNC_ACTOR,
            action: 'user_enabled',
            reason: 'user enabled in Keycloak',
            at: now,
          },
        ]);
      }
    }
    return { active, user };
  }
}
