import { Inject, Injectable } from '@nestjs/common';
import {
  apiKeyHint,
  assertBelowActiveKeyLimit,
  assertNeverExpiresAllowed,
  assertRenewable,
  assertRotatable,
  assertScopesChangeable,
  DomainError,
  DomainErrorCode,
  generateApiKey,
  graceEndOf,
  hashApiKey,
  isExpired,
  isWellFormedApiKey,
  keyRoles,
  parseAllowedReferers,
  parseExpirationDate,
  parseKeyConfig,
  parseKeyName,
  parseKeyScopes,
  parseRateLimitPerMinute,
  parseScopesChange,
  type KeyPolicy,
  type RevocationSource,
  revokedByAdminError,
} from '@rs/key-domain';
import { randomUUID } from 'node:crypto';
import {
  type ApiKeyRecord,
  ApiKeysRepository,
  type ApiKeyView,
  auditAndPublish,
  AuditRepository,
  byMostRecentUse,
  CLOCK,
  type Clock,
  type KeyLookup,
  LifecycleEventsPublisher,
  toApiKeyView,
} from '@rs/key-store';
import { UserSyncService } from '@rs/keycloak-users';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig, keyPolicyOf } from '../config/key-manager.config';

/** Who is asking, as established by the Keycloak token. */
export interface Caller {
  user_id: string;
  user_login: string;
  /** Admins act on any user's keys; everyone else only on their own. */
  is_admin: boolean;
}

export interface CreateKeyInput {
  name: unknown;
  never_expires: boolean;
  /** ISO 8601; default now + the default lifetime; at most the maximum lifetime from now. */
  expiration_date?: unknown;
  config: unknown;
  allowed_referers: unknown;
  /** Roles the key is limited to, among the owner's; absent: all of them. */
  scopes?: unknown;
  /** Requests per UTC minute the guards allow the key; absent: no per-minute limit. */
  rate_limit_per_minute?: unknown;
}

/** A key named by its value (`api-key`) or, for a user who lost the value, by its id. */
export interface KeyTarget {
  apiKey?: string;
  id?: string;
}

export interface RevokeResult {
  id: string;
  name: string;
  is_active: false;
  revoked_at: string;
  message: string;
}

export interface RotateResult {
  id: string;
  name: string;
  /** The new value: shown this once. */
  api_key: string;
  hint: string;
  rotated_at: string;
  previous_secret_expires_at: string;
  message: string;
}

export interface RenewResult {
  id: string;
  name: string;
  is_active: true;
  expiration_date: string | null;
  reactivated: boolean;
  message: string;
}

@Injectable()
export class ApiKeysService {
  private readonly policy: KeyPolicy;

  constructor(
    @Inject(KEY_MANAGER_CONFIG) private readonly config: KeyManagerConfig,
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditRepository,
    private readonly events: LifecycleEventsPublisher,
    private readonly users: UserSyncService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.policy = keyPolicyOf(config);
  }

  /** Creates a key and returns its value: the only time it is ever shown. */
  async create(caller: Caller, input: CreateKeyInput): Promise<string> {
    const name = parseKeyName(input.name);
    const userConfig = parseKeyConfig(input.config);
    const allowedReferers = parseAllowedReferers(input.allowed_referers);
    const rateLimitPerMinute = parseRateLimitPerMinute(
      input.rate_limit_per_minute,
      this.config.API_KEY_MAX_RATE_LIMIT_PER_MINUTE,
    );
    const now = this.clock();
    assertNeverExpiresAllowed(this.policy, input.never_expires);
    if (input.never_expires && input.expiration_date !== undefined && input.expiration_date !== '')
      throw DomainError.invalidParameter('expiration-date', "Give either 'never_expires=true' or 'expiration-date'");
    const expiration = input.never_expires
      ? null
      : parseExpirationDate(
          input.expiration_date,
          now,
          this.config.API_KEY_DEFAULT_LIFETIME_DAYS,
          this.policy.maxLifetimeDays,
        );
    const { active, user } = await this.users.syncUser(caller.user_id, now);
    if (!active || !user)
      throw new DomainError(
        DomainErrorCode.KEY_USER_DISABLED,
        'Your Keycloak account is disabled; no key can be created',
      );
    const scopes = parseKeyScopes(input.scopes, user.realmRoles);
    assertBelowActiveKeyLimit(this.policy, await this.keys.countActiveByOwner(caller.user_id, now));
    const value = generateApiKey();
    const record: ApiKeyRecord = {
      _id: randomUUID(),
      hash: hashApiKey(value, this.config.API_KEY_HASH_SECRET),
      hint: apiKeyHint(value),
      name,
      user_id: caller.user_id,
      user_login: user.username,
      user_active: true,
      is_active: true,
      never_expire: input.never_expires,
      expiration_date: expiration,
      created_at: now,
      latest_sync_date: now,
      iam_roles: keyRoles(user.realmRoles, scopes),
      ...(scopes ? { scopes } : {}),
      config_json: JSON.stringify(this.users.configWithAttributes(userConfig, user)),
      allowed_referers: allowedReferers,
      ...(rateLimitPerMinute ? { rate_limit_per_minute: rateLimitPerMinute } : {}),
      revoked_at: null,
      revoked_by: null,
    };
    const created = await this.keys.insert(
      record,
      () => ({ action: 'created', actor: caller.user_id, expiration_date: record.expiration_date }),
      now,
    );
    // Concurrent creations may all have passed the count above: the ones over the cap take their key back,
    // with its event, before the event is sent.
    const activeKeys = await this.keys.countActiveByOwner(caller.user_id, now);
    if (activeKeys > this.policy.maxActiveKeysPerUser) {
      await this.keys.deleteUnannounced(record._id);
      assertBelowActiveKeyLimit(this.policy, activeKeys - 1);
    }
    await auditAndPublish(
      this.audit,
      this.events,
      [{ key_id: record._id, user_id: caller.user_id, actor: caller.user_id, action: 'created', at: now }],
      [created],
    );
    return value;
  }

  async listOwn(caller: Caller): Promise<ApiKeyView[]> {
    return this.view(await this.keys.listByOwner(caller.user_id));
  }

  /** Admin: every key of one user, by id or login. */
  async listForUser(filter: { user_id?: string; user_login?: string }): Promise<ApiKeyView[]> {
    if (filter.user_id) return this.view(await this.keys.listByOwner(filter.user_id));
    if (filter.user_login) return this.view(await this.keys.listByLogin(filter.user_login));
    throw DomainError.invalidParameter('user_id', "Give 'user_id' or 'user_login'");
  }

  /**
   * Revokes a key. The owner's revocation can be undone by renewing; an administrator's cannot, and an
   * administrator revoking a key its owner already revoked makes that revocation final.
   */
  async revoke(caller: Caller, target: KeyTarget, reason?: string): Promise<RevokeResult> {
    const lookup = this.lookupOf(target);
    const owner = ownerScope(caller);
    const revokedBy: RevocationSource = caller.is_admin ? 'admin' : 'owner';
    const now = this.clock();
    const why = (key: ApiKeyRecord): string =>
      reason ??
      (caller.user_id === key.user_id ? 'revoked by its owner' : `revoked by administrator ${caller.user_login}`);
    const event = (key: ApiKeyRecord) => ({ action: 'revoked' as const, actor: caller.user_id, reason: why(key) });
    let change = await this.keys.revokeIfActive(lookup, owner, now, revokedBy, event);
    if (!change && revokedBy === 'admin') change = await this.keys.escalateRevocationToAdmin(lookup, event, now);
    if (!change) {
      const current = await this.find(lookup, owner);
      // Renewed between the two calls: it is active again, so revoke it after all.
      if (current.is_active) change = await this.keys.revokeIfActive(lookup, owner, now, revokedBy, event);
      if (!change) {
        return {
          id: current._id,
          name: current.name,
          is_active: false,
          revoked_at: (current.revoked_at ?? now).toISOString(),
          message: 'API key was already revoked',
        };
      }
    }
    const key = change.before;
    await auditAndPublish(
      this.audit,
      this.events,
      [
        {
          key_id: key._id,
          user_id: key.user_id,
          actor: caller.user_id,
          action: 'revoked',
          reason: why(key),
          revoked_by: revokedBy,
          at: now,
        },
      ],
      [change.event],
    );
    const revokedAt = key.is_active ? now : (key.revoked_at ?? now);
    return {
      id: key._id,
      name: key.name,
      is_active: false,
      revoked_at: new Date(revokedAt).toISOString(),
      message: 'API key revoked',
    };
  }

  /**
   * Sets a new expiration date, reactivates a key its owner revoked, and refreshes roles and attributes. A key
   * an administrator revoked stays revoked (403), and reactivating one counts against the active-key cap.
   */
  async renew(caller: Caller, target: KeyTarget, expirationDate: unknown): Promise<RenewResult> {
    const now = this.clock();
    const expiration = parseExpirationDate(
      expirationDate,
      now,
      this.config.API_KEY_DEFAULT_LIFETIME_DAYS,
      this.policy.maxLifetimeDays,
    );
    const key = await this.resolve(caller, target);
    assertRenewable(key);
    const { active } = await this.users.syncUser(key.user_id, now);
    if (!active)
      throw new DomainError(
        DomainErrorCode.KEY_USER_DISABLED,
        'The owner of this API key is disabled in Keycloak; it cannot be renewed',
      );
    const reactivated = !key.is_active;
    if (reactivated || isExpired(key, now))
      assertBelowActiveKeyLimit(this.policy, await this.keys.countActiveByOwner(key.user_id, now));
    const reason = reactivated ? 'renewed and reactivated' : 'renewed';
    const renewal = await this.keys.renew(
      key._id,
      expiration,
      () => ({ action: 'renewed', actor: caller.user_id, reason, expiration_date: expiration }),
      now,
    );
    // Revoked by an administrator between the read above and this write.
    if (!renewal) throw revokedByAdminError();
    const updated = renewal.after;
    await auditAndPublish(
      this.audit,
      this.events,
      [{ key_id: key._id, user_id: key.user_id, actor: caller.user_id, action: 'renewed', reason, at: now }],
      [renewal.event],
    );
    return {
      id: key._id,
      name: key.name,
      is_active: true,
      expiration_date: updated.expiration_date
        ? new Date(updated.expiration_date).toISOString()
        : expiration.toISOString(),
      reactivated,
      message: reactivated ? 'API key renewed and reactivated' : 'API key renewed',
    };
  }

  /**
   * Gives a working key a new value, keeping everything else (id, name, config, scopes, usage). The value it had
   * keeps working for the grace period (`graceHours`, default 24, at most 7 days), then every guard refuses it;
   * a value replaced by an earlier rotation stops at once.
   */
  async rotate(caller: Caller, target: KeyTarget, graceHours: unknown): Promise<RotateResult> {
    const now = this.clock();
    const graceEnd = graceEndOf(graceHours, now);
    const key = await this.resolve(caller, target);
    assertRotatable(key, now);
    const value = generateApiKey();
    const secret = { hash: hashApiKey(value, this.config.API_KEY_HASH_SECRET), hint: apiKeyHint(value) };
    const reason = `previous value valid until ${graceEnd.toISOString()}`;
    const rotation = await this.keys.rotate(
      key._id,
      secret,
      graceEnd,
      () => ({ action: 'rotated', actor: caller.user_id, reason, previous_secret_expires_at: graceEnd }),
      now,
    );
    if (!rotation) {
      // Revoked, expired or disabled between the read above and this write: say which.
      assertRotatable(await this.find({ keyId: key._id }, null), now);
      throw new DomainError(DomainErrorCode.KEY_NOT_FOUND, 'API key not found');
    }
    await auditAndPublish(
      this.audit,
      this.events,
      [{ key_id: key._id, user_id: key.user_id, actor: caller.user_id, action: 'rotated', reason, at: now }],
      [rotation.event],
    );
    return {
      id: key._id,
      name: key.name,
      api_key: value,
      hint: secret.hint,
      rotated_at: now.toISOString(),
      previous_secret_expires_at: graceEnd.toISOString(),
      message: 'API key rotated',
    };
  }

  /**
   * Limits a working key to new scopes, validated against its owner's current roles as on creation, or gives it
   * every role of its owner again (`allRoles`). The check answers the new roles at once: the change is announced,
   * so every guard drops its cached checks of the key.
   */
  async setScopes(caller: Caller, target: KeyTarget, scopes: unknown, allRoles: unknown): Promise<ApiKeyView> {
    const now = this.clock();
    const key = await this.resolve(caller, target);
    assertScopesChangeable(key, now);
    const { active, user } = await this.users.syncUser(key.user_id, now);
    if (!active || !user)
      throw new DomainError(DomainErrorCode.KEY_USER_DISABLED, 'The owner of this API key is disabled in Keycloak');
    const parsed = parseScopesChange(scopes, allRoles, user.realmRoles);
    const reason = parsed ? `scopes set to ${parsed.join(', ')}` : 'scopes removed: every role of its owner';
    const change = await this.keys.setScopes(
      key._id,
      parsed,
      keyRoles(user.realmRoles, parsed),
      () => ({ action: 'scopes_changed', actor: caller.user_id, reason }),
      now,
    );
    if (!change) {
      // Revoked, expired or disabled between the read above and this write: say which.
      assertScopesChangeable(await this.find({ keyId: key._id }, null), now);
      throw new DomainError(DomainErrorCode.KEY_NOT_FOUND, 'API key not found');
    }
    await auditAndPublish(
      this.audit,
      this.events,
      [{ key_id: key._id, user_id: key.user_id, actor: caller.user_id, action: 'scopes_changed', reason, at: now }],
      [change.event],
    );
    const [view] = await this.view([change.after]);
    return view;
  }

  /** Finds the target key among the caller's own (any key for admins); someone else's key is "not found". */
  private resolve(caller: Caller, target: KeyTarget): Promise<ApiKeyRecord> {
    return this.find(this.lookupOf(target), ownerScope(caller));
  }

  private async find(lookup: KeyLookup, owner: string | null): Promise<ApiKeyRecord> {
    const key =
      'keyId' in lookup
        ? await this.keys.findOwned(lookup.keyId, owner)
        : await this.keys.findOwnedByHash(lookup.hash, owner);
    if (!key) throw new DomainError(DomainErrorCode.KEY_NOT_FOUND, 'API key not found');
    return key;
  }

  /** The key named by its value (looked up by hash) or its id; exactly one of them. */
  private lookupOf(target: KeyTarget): KeyLookup {
    if (target.apiKey && target.id)
      throw DomainError.invalidParameter('api-key', "Give either 'api-key' or 'id', not both");
    if (target.apiKey) {
      if (!isWellFormedApiKey(target.apiKey))
        throw DomainError.invalidParameter('api-key', "Query parameter 'api-key' is not a well-formed API key (rsk_…)");
      return { hash: hashApiKey(target.apiKey, this.config.API_KEY_HASH_SECRET) };
    }
    if (target.id) return { keyId: target.id };
    throw DomainError.invalidParameter('api-key', "Query parameter 'api-key' (or 'id') is required");
  }

  private async view(records: ApiKeyRecord[]): Promise<ApiKeyView[]> {
    const totals = await this.keys.usageTotals(records.map((record) => record._id));
    const now = this.clock();
    return records.map((record) => toApiKeyView(record, totals, now)).sort(byMostRecentUse);
  }
}

/** Admins act on any user's keys (null: no owner filter); everyone else only on their own. */
function ownerScope(caller: Caller): string | null {
  return caller.is_admin ? null : caller.user_id;
}
