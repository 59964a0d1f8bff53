import { isPreviousSecretUsable, type RevocationSource } from '@rs/key-domain';
import type { ApiKeyRecord, UsageTotals } from './api-keys.repository';

/** A key as its owner sees it in the list: every field of RS-Server's list, and never the value. */
export interface ApiKeyView {
  id: string;
  name: string;
  hint: string;
  user_id: string;
  user_login: string;
  user_active: boolean;
  is_active: boolean;
  never_expire: boolean;
  expiration_date: string | null;
  creation_date: string;
  latest_query_date: string | null;
  total_queries: number;
  latest_sync_date: string;
  iam_roles: string[];
  /** The roles the key is limited to; null: every role of its owner. */
  scopes: string[] | null;
  config: Record<string, unknown>;
  allowed_referers: string[];
  /** Requests per UTC minute the guards allow; null: no per-minute limit. */
  rate_limit_per_minute: number | null;
  revoked_at: string | null;
  /** Why the key last stopped working; null while it works. */
  revoked_by: RevocationSource | null;
  /** When the value was last replaced by a rotation; null when never. */
  rotated_at: string | null;
  /** While the value a rotation replaced still works: its hint and when it stops; null otherwise. */
  previous_hint: string | null;
  previous_secret_expires_at: string | null;
}

export function parseStoredConfig(configJson: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(configJson);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function toApiKeyView(record: ApiKeyRecord, totals: UsageTotals, now: Date = new Date()): ApiKeyView {
  const usage = totals.get(record._id);
  const pending = isPreviousSecretUsable(record, now);
  return {
    id: record._id,
    name: record.name,
    hint: record.hint,
    user_id: record.user_id,
    user_login: record.user_login,
    user_active: record.user_active,
    is_active: record.is_active,
    never_expire: record.never_expire,
    expiration_date: record.expiration_date ? new Date(record.expiration_date).toISOString() : null,
    creation_date: new Date(record.created_at).toISOString(),
    latest_query_date: usage?.latest_query_date ? new Date(usage.latest_query_date).toISOString() : null,
    total_queries: usage?.total_queries ?? 0,
    latest_sync_date: new Date(record.latest_sync_date).toISOString(),
    iam_roles: record.iam_roles,
    scopes: record.scopes ?? null,
    config: parseStoredConfig(record.config_json),
    allowed_referers: record.allowed_referers,
    rate_limit_per_minute: record.rate_limit_per_minute ?? null,
    revoked_at: record.revoked_at ? new Date(record.revoked_at).toISOString() : null,
    revoked_by: record.revoked_by ?? null,
    rotated_at: record.rotated_at ? new Date(record.rotated_at).toISOString() : null,
    previous_hint: pending ? (record.previous_hint ?? null) : null,
    previous_secret_expires_at:
      pending && record.previous_hash_expires_at ? new Date(record.previous_hash_expires_at).toISOString() : null,
  };
}

/** Most recently used first; never-used keys after, newest first. */
export function byMostRecentUse(a: ApiKeyView, b: ApiKeyView): number {
  const used = (b.latest_query_date ?? '').localeCompare(a.latest_query_date ?? '');
  return used !== 0 ? used : b.creation_date.localeCompare(a.creation_date);
}
