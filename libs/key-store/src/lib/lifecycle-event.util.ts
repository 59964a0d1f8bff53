import {
  KEY_LIFECYCLE_EVENT_TYPE,
  KEY_LIFECYCLE_EVENT_VERSION,
  type KeyLifecycleAction,
  type KeyLifecycleEventV1,
} from '@rs/event-contracts';
import { randomUUID } from 'node:crypto';
import type { PendingLifecycleEvent } from './api-key.schema';

/** A lifecycle event to announce, before it gets its id, time and the key's state version. */
export interface LifecycleChange {
  action: KeyLifecycleAction;
  key_id: string;
  user_id: string;
  actor: string;
  reason?: string;
  expiration_date?: Date | null;
  /** On `rotated` and `rotation_ended`: the end of the replaced value's grace period. */
  previous_secret_expires_at?: Date;
}

/** The event of a change, as stored on its key until Kafka acknowledges it. */
export function pendingLifecycleEvent(
  change: LifecycleChange,
  stateVersion: number | undefined,
  now: Date,
): PendingLifecycleEvent {
  const event: KeyLifecycleEventV1 = {
    event_id: randomUUID(),
    type: KEY_LIFECYCLE_EVENT_TYPE,
    version: KEY_LIFECYCLE_EVENT_VERSION,
    occurred_at: now.toISOString(),
    action: change.action,
    key_id: change.key_id,
    user_id: change.user_id,
    actor: change.actor,
    ...(change.reason ? { reason: change.reason } : {}),
    ...(change.expiration_date !== undefined ? { expiration_date: change.expiration_date?.toISOString() ?? null } : {}),
    ...(change.previous_secret_expires_at
      ? { previous_secret_expires_at: change.previous_secret_expires_at.toISOString() }
      : {}),
    ...(stateVersion !== undefined ? { state_version: stateVersion } : {}),
  };
  return { event_id: event.event_id, key_id: event.key_id, payload: JSON.stringify(event), created_at: now };
}
