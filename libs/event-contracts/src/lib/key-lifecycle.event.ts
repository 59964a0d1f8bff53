import {
  isIsoTime,
  isNonEmptyString,
  isNonNegativeInteger,
  oneOf,
  optional,
  schemaParser,
  type ParseResult,
} from './validation.util';

export const KEY_LIFECYCLE_EVENT_TYPE = 'key.lifecycle';
export const KEY_LIFECYCLE_EVENT_VERSION = 1;

export const KEY_LIFECYCLE_ACTIONS = [
  'created',
  'renewed',
  'revoked',
  'expired',
  'expiring',
  'user_disabled',
  'user_enabled',
  'roles_changed',
  'user_deleted',
  'deleted',
  'rotated',
  'rotation_ended',
  'scopes_changed',
] as const;
export type KeyLifecycleAction = (typeof KEY_LIFECYCLE_ACTIONS)[number];
/**
 * Actions after which a cached check of the key must not be trusted any more: all but these two, which change
 * nothing a check answers (a new key has no cached check; `expiring` only announces the end).
 */
const KEY_KEEPING_ACTIONS: readonly KeyLifecycleAction[] = ['created', 'expiring'];
export const KEY_EVICTING_ACTIONS: readonly KeyLifecycleAction[] = KEY_LIFECYCLE_ACTIONS.filter(
  (action) => !KEY_KEEPING_ACTIONS.includes(action),
);
/** Actions about the key's owner: every cached check of the owner's keys must go, not only this key's. */
export const KEY_USER_ACTIONS: readonly KeyLifecycleAction[] = [
  'user_disabled',
  'user_enabled',
  'roles_changed',
  'user_deleted',
];

/** Published by the key manager and the worker on KEY_LIFECYCLE_TOPIC. Never carries the key value. */
export interface KeyLifecycleEventV1 {
  event_id: string;
  type: typeof KEY_LIFECYCLE_EVENT_TYPE;
  version: typeof KEY_LIFECYCLE_EVENT_VERSION;
  occurred_at: string;
  action: KeyLifecycleAction;
  key_id: string;
  user_id: string;
  /** Who caused it: a user id, `system:worker`, ... */
  actor: string;
  reason?: string;
  expiration_date?: string | null;
  /**
   * The key's state version after the change this event announces (bumped by every state change of the key).
   * A consumer holding a state of the key at this version or later ignores the event: events of one key may
   * arrive out of order (a deferred one relayed after a later direct one). Absent from older producers and from
   * `expiring`, which changes no state.
   */
  state_version?: number;
  /**
   * On `rotated`: when the value the rotation replaced stops working (ISO); on `rotation_ended`: when it stopped.
   * Added within version 1: readers that predate it ignore the field (and, with it, actions they do not know).
   */
  previous_secret_expires_at?: string;
}

const parseLifecycle = schemaParser<KeyLifecycleEventV1>({
  event_id: isNonEmptyString,
  type: oneOf([KEY_LIFECYCLE_EVENT_TYPE]),
  version: oneOf([KEY_LIFECYCLE_EVENT_VERSION]),
  occurred_at: isIsoTime,
  action: oneOf(KEY_LIFECYCLE_ACTIONS),
  key_id: isNonEmptyString,
  user_id: isNonEmptyString,
  actor: isNonEmptyString,
  reason: optional(isNonEmptyString),
  expiration_date: optional(isIsoTime),
  state_version: optional(isNonNegativeInteger),
  previous_secret_expires_at: optional(isIsoTime),
});

export function parseKeyLifecycleEvent(raw: unknown): ParseResult<KeyLifecycleEventV1> {
  return parseLifecycle(raw);
}
