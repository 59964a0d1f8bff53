import type { KeyCheckResult } from '../api-key/key-manager.client';

/** What the key manager answers for a valid key of bob's (no roles, no referer policy, never expires), with overrides. */
export function acceptedCheck(overrides: Partial<KeyCheckResult> = {}): KeyCheckResult {
  return {
    principal: {
      user_id: 'u-1',
      user_login: 'bob',
      iam_roles: [],
      config: {},
      auth_method: 'api_key',
      key_id: 'key-1',
    },
    allowed_referers: [],
    expiresAt: null,
    ...overrides,
  };
}
