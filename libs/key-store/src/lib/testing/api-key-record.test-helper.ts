import type { ApiKeyRecord } from '../api-keys.repository';

/** A stored key of alice's, active and expiring, for unit specs; `overrides` set what the spec is about. */
export function apiKeyRecord(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    _id: 'key-1',
    hash: 'h-1',
    hint: 'h',
    name: 'script',
    user_id: 'alice-id',
    user_login: 'alice',
    user_active: true,
    is_active: true,
    never_expire: false,
    expiration_date: new Date('2026-03-10T00:00:00Z'),
    created_at: new Date('2026-02-20T00:00:00Z'),
    latest_sync_date: new Date('2026-02-20T00:00:00Z'),
    iam_roles: [],
    config_json: '{}',
    allowed_referers: [],
    revoked_at: null,
    ...overrides,
  };
}
