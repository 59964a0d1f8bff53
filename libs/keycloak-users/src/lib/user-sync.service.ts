import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type ApiKeyRecord,
  ApiKeysRepository,
  auditAndPublish,
  AuditRepository,
  type KeyStateChange,
  LifecycleEventsPublisher,
  parseStoredConfig,
  type StoredKeyChange,
} from '@rs/key-store';
import type { KeyLifecycleAction } from '@rs/event-contracts';
import { keyRoles, mergeConfig } from '@rs/key-domain';
import { KeycloakAdminClient, type KeycloakUser } from './keycloak-admin.client';
import { KEYCLOAK_USERS_OPTIONS, type KeycloakUsersOptions } from './keycloak-users.options';

export const SYSTEM_SYNC_ACTOR = 'system:keycloak-sync';

export interface SyncedUser {
  active: boolean;
  user: KeycloakUser | null;
}

type UserAction = Extract<KeyLifecycleAction, 'user_disabled' | 'user_enabled' | 'roles_changed' | 'user_deleted'>;

/**
 * Brings a user's keys in line with Keycloak: enabled flag, realm roles (within each key's scopes) and the
 * configured attributes. Every
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
    const event = userEvent('user_deleted', 'user deleted from Keycloak');
    const revoked: StoredKeyChange[] = [];
    for (const key of owned.filter((candidate) => candidate.is_active)) {
      const change = await this.keys.revokeIfActive({ keyId: key._id }, userId, now, 'user_deleted', event);
      if (change) revoked.push(change);
    }
    await this.keys.updateUserKeys(userId, { user_active: false, latest_sync_date: now });
    await this.announce(userId, revoked, now);
  }

  private async disable(userId: string, owned: ApiKeyRecord[], now: Date): Promise<void> {
    const event = userEvent('user_disabled', 'user disabled in Keycloak');
    const disabled: StoredKeyChange[] = [];
    for (const key of owned.filter((candidate) => candidate.user_active)) {
      // Keys revoked or expired before keep their own reason.
      const change = await this.changeKey(key._id, now, (current) =>
        current.user_active
          ? {
              set: {
                user_active: false,
                latest_sync_date: now,
                ...(current.is_active && !current.revoked_by ? { revoked_by: 'user_disabled' as const } : {}),
              },
              event,
            }
          : null,
      );
      if (change) disabled.push(change);
    }
    await this.keys.updateUserKeys(userId, { user_active: false, latest_sync_date: now });
    await this.announce(userId, disabled, now);
  }

  private async refresh(user: KeycloakUser, owned: ApiKeyRecord[], now: Date): Promise<void> {
    const announced: StoredKeyChange[] = [];
    for (const key of owned) {
      // A scoped key keeps only the scopes its owner still holds, and never gains a role it was not scoped to.
      const roles = keyRoles(user.realmRoles, key.scopes);
      const synced: Partial<ApiKeyRecord> = {
        user_active: true,
        user_login: user.username,
        iam_roles: roles,
        config_json: JSON.stringify(this.configWithAttributes(parseStoredConfig(key.config_json), user)),
        latest_sync_date: now,
      };
      const enabled = !key.user_active;
      if (!enabled && !(key.is_active && !sameRoles(key.iam_roles, roles))) {
        await this.keys.update(key._id, synced);
        continue;
      }
      const event = enabled
        ? userEvent('user_enabled', 'user enabled in Keycloak')
        : userEvent('roles_changed', 'realm roles changed in Keycloak');
      const change = await this.changeKey(key._id, now, (current) => ({
        set: { ...synced, ...(current.revoked_by === 'user_disabled' ? { revoked_by: null } : {}) },
        event,
      }));
      if (change) announced.push(change);
    }
    await this.announce(user.id, announced, now);
  }

  private changeKey(keyId: string, now: Date, change: KeyStateChange): Promise<StoredKeyChange | null> {
    return this.keys.changeState({ _id: keyId }, change, now);
  }

  /** Audits and publishes the stored changes (their events were written with them). */
  private async announce(userId: string, changes: StoredKeyChange[], now: Date): Promise<void> {
    if (!changes.length) return;
    const entries = changes.map(({ announced }) => ({ ...announced, action: announced.action as UserAction, at: now }));
    this.logger.log(`User ${userId}: ${entries.map((entry) => `${entry.key_id} ${entry.action}`).join(', ')}`);
    await auditAndPublish(
      this.audit,
      this.events,
      entries,
      changes.map((change) => change.event),
    );
  }
}

/** The event of a user-level change; the sync is its actor. */
function userEvent(action: UserAction, reason: string) {
  return () => ({ action, actor: SYSTEM_SYNC_ACTOR, reason });
}

function sameRoles(stored: readonly string[] | undefined, current: readonly string[]): boolean {
  const sorted = [...(stored ?? [])].sort();
  return sorted.length === current.length && sorted.every((role, index) => role === current[index]);
}
