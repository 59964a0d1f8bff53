import type { PendingLifecycleEvent } from './api-key.schema';
import type { AuditEntry, AuditRepository } from './audit.repository';
import type { LifecycleEventsPublisher } from './lifecycle-events.publisher';

/**
 * Writes the audit records and publishes the lifecycle events of key changes that are already stored (events
 * included, on their keys), at the same time: neither depends on the other, and the event reaches the guards
 * sooner. Both are waited for, so a failure of either reaches the caller; the events, stored already, are
 * relayed if Kafka is slow.
 */
export async function auditAndPublish(
  audit: Pick<AuditRepository, 'record'>,
  events: Pick<LifecycleEventsPublisher, 'publish'>,
  entries: AuditEntry[],
  pending: readonly PendingLifecycleEvent[],
): Promise<void> {
  const [audited, published] = await Promise.allSettled([audit.record(entries), events.publish(pending)]);
  if (audited.status === 'rejected') throw audited.reason;
  if (published.status === 'rejected') throw published.reason;
}
