import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type ApiKeyRecord,
  ApiKeysRepository,
  auditAndPublish,
  AuditRepository,
  LifecycleEventsPublisher,
  parseStoredConfig,
} from '@rs/key-store';
import type { KeyLifecycleAction } from '@rs/event-contracts';
import { mergeConfig } from '@rs/key-domain';
import { KeycloakAdminClient, type KeycloakUser } from './keycloak-admin.client';
import { KEYCLOAK_USERS_OPTIONS, type KeycloakUsersOptions } from './keycloak-users.options';

export const SYSTEM_SYNC_ACTOR = 'system:keycloak-sync';

export interface SyncedUser {
  active: boolean;
  user: KeycloakUser | null;
}

type UserAction = Extract<KeyLifecycleAction, 'user_disabled' | 'user_enabled' | 'roles_changed' | 'user_deleted'>;

/**
 * Brings a user's keys in line with Keycloak: enabled flag, realm roles and the configured attributes. Every
 * change that alters what a key may do is audited and announced per key, so guards drop their cached checks:
 * `user_disabled`, `user_enabled`, `roles_changed`, and `user_deleted` (the keys of a deleted user are revoked).
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

  /** A key's config with the authoritative attributes replaced by Keycloak's (see mergeConfig). */
  configWithAttributes(config: Record<string, unknown>, user: KeycloakUser): Record<string, unknown> {
    return mergeConfig(config, this.attributesForConfig(user), this.options.configAttributes);
  }

  async syncUser(userId: string, now: Date): Promise<SyncedUser> {
    const user = await this.keycloak.getUser(userId);
    const owned = await this.keys.listByOwner(userId);
    if (!user) await this.revokeDeleted(userId, owned, now);
    else if (!user.enabled) await this.disable(userId, owned, now);
    else await this.refresh(user, owned, now);
    return { active: Boolean(user?.enabled), user };
  }

  private async revokeDeleted(userId: string, owned: ApiKeyRecord[], now: Date): Promise<void> {
    const revoked: ApiKeyRecord[] = [];
    for (const key of owned.filter((candidate) => candidate.is_active)) {
      if (await this.keys.revokeIfActive({ keyId: key._id }, userId, now, 'user_deleted')) revoked.push(key);
    }
    await this.keys.updateUserKeys(userId, { user_active: false, latest_sync_date: now });
    await this.announce(userId, revoked, 'user_deleted', 'user deleted from Keycloak', now);
  }

  private async disable(userId: string, owned: ApiKeyRecord[], now: Date): Promise<void> {
    const newlyDisabled = owned.filter((key) => key.user_active);
    await this.keys.updateUserKeys(userId, { user_active: false, latest_sync_date: now });
    if (newlyDisabled.length) await this.keys.markUserDisabled(userId, true);
    await this.announce(userId, newlyDisabled, 'user_disabled', 'user disabled in Keycloak', now);
  }

  private async refresh(user: KeycloakUser, owned: ApiKeyRecord[], now: Date): Promise<void> {
    if (owned.some((key) => !key.user_active)) await this.keys.markUserDisabled(user.id, false);
    const enabled: ApiKeyRecord[] = [];
    const rolesChanged: ApiKeyRecord[] = [];
    for (const key of owned) {
      await this.keys.update(key._id, {
        user_active: true,
        user_login: user.username,
        iam_roles: user.realmRoles,
        config_json: JSON.stringify(this.configWithAttributes(parseStoredConfig(key.config_json), user)),
        latest_sync_date: now,
      });
      if (!key.user_active) enabled.push(key);
      else if (key.is_active && !sameRoles(key.iam_roles, user.realmRoles)) rolesChanged.push(key);
    }
    await this.announce(user.id, enabled, 'user_enabled', 'user enabled in Keycloak', now);
    await this.announce(user.id, rolesChanged, 'roles_changed', 'realm roles changed in Keycloak', now);
  }

  private async announce(
    userId: string,
    keys: ApiKeyRecord[],
    action: UserAction,
    reason: string,
    now: Date,
  ): Promise<void> {
    if (!keys.length) return;
    this.logger.log(`User ${userId}: ${reason}; ${keys.length} key(s) announced as ${action}`);
    const changes = keys.map((key) => ({ action, key_id: key._id, user_id: userId, actor: SYSTEM_SYNC_ACTOR, reason }));
    await auditAndPublish(
      this.audit,
      this.events,
      changes.map((change) => ({ ...change, at: now })),
      changes,
    );
  }
}

function sameRoles(stored: readonly string[] | undefined, current: readonly string[]): boolean {
  const sorted = [...(stored ?? [])].sort();
  return sorted.length === current.length && sorted.every((role, index) => role === current[index]);
}
