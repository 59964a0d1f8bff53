import type { KeyLifecycleAction, KeyLifecycleEventV1 } from '../key-lifecycle.event';

/** A lifecycle event of key `key-1` of alice's, acted by her, for unit specs. */
export function keyLifecycleEvent(
  action: KeyLifecycleAction,
  overrides: Partial<KeyLifecycleEventV1> = {},
): KeyLifecycleEventV1 {
  return {
    event_id: 'e-1',
    type: 'key.lifecycle',
    version: 1,
    occurred_at: new Date().toISOString(),
    action,
    key_id: 'key-1',
    user_id: 'alice-id',
    actor: 'alice-id',
    ...overrides,
  };
}
