import { auditAndPublish } from './audit-and-publish';
import type { AuditEntry } from './audit.repository';
import type { PendingLifecycleEvent } from './api-key.schema';

const entry: AuditEntry = { key_id: 'k', user_id: 'u', actor: 'u', action: 'revoked', at: new Date(0) };
const change: PendingLifecycleEvent = { event_id: 'e', key_id: 'k', payload: '{}', created_at: new Date(0) };

describe(auditAndPublish.name, () => {
  it('should start the event before the audit record is written, and wait for both', async () => {
    const order: string[] = [];
    let releaseAudit: () => void = () => undefined;
    const audit = {
      record: jest.fn(() => new Promise<void>((resolve) => (releaseAudit = () => (order.push('audited'), resolve())))),
    };
    const events = { publish: jest.fn(async () => void order.push('published')) };
    const done = auditAndPublish(audit, events, [entry], [change]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['published']);
    releaseAudit();
    await done;
    expect(order).toEqual(['published', 'audited']);
    expect(audit.record).toHaveBeenCalledWith([entry]);
    expect(events.publish).toHaveBeenCalledWith([change]);
  });

  it.each([
    ['audit', new Error('audit down'), undefined],
    ['event', undefined, new Error('outbox down')],
  ])('should reject when the %s write fails, after both settled', async (_which, auditError, eventError) => {
    const audit = { record: jest.fn(async () => (auditError ? Promise.reject(auditError) : undefined)) };
    const events = { publish: jest.fn(async () => (eventError ? Promise.reject(eventError) : undefined)) };
    await expect(auditAndPublish(audit, events, [entry], [change])).rejects.toBe(auditError ?? eventError);
    expect(audit.record).toHaveBeenCalled();
    expect(events.publish).toHaveBeenCalled();
  });
});
