import { parseKeyUsageEvent } from '@rs/event-contracts';
import { contractJson, usageFields } from '../testing/usage-fields.test-helper';
import { encodeUsageMessages, USAGE_FIELD_COUNT } from './key-usage-fields.util';

describe('key usage fields', () => {
  describe(encodeUsageMessages.name, () => {
    it('should give the contract JSON of each event, byte for byte, keyed by key id', () => {
      const fields = [
        ...usageFields({ keyId: 'key-a' }),
        ...usageFields({ keyId: 'key-b', status: 403, latencyMs: 0.0004, correlationId: 'corr-1', eventId: '5d0c3a4e-7f7b-4f8e-9d59-2b8f0e6c1d22' }),
      ];
      const messages = encodeUsageMessages(fields, 'cadip');
      expect(messages).toHaveLength(2);
      messages.forEach((message, index) => {
        const event = fields.slice(index * USAGE_FIELD_COUNT, (index + 1) * USAGE_FIELD_COUNT);
        expect(message.value).toBe(contractJson(event));
        expect(message.key).toBe(event[0]);
        expect(parseKeyUsageEvent(message.value)).toMatchObject({ ok: true });
      });
      expect(JSON.parse(messages[0].value as string)).toMatchObject({ occurred_at: '2026-01-01T10:00:00.123Z', latency_ms: 1.235, service: 'cadip' });
      expect(JSON.parse(messages[1].value as string)).toMatchObject({ status: 403, latency_ms: 0 });
    });

    it('should give each event the id drawn when it was recorded, the same however often it is encoded', () => {
      const fields = [...usageFields({ eventId: 'id-1' }), ...usageFields({ eventId: 'id-2' })];
      const ids = () => encodeUsageMessages(fields, 'cadip').map((message) => JSON.parse(message.value as string).event_id);
      expect(ids()).toEqual(['id-1', 'id-2']);
      expect(ids()).toEqual(['id-1', 'id-2']);
    });

    it('should carry the correlation id as a header, and no headers without one', () => {
      const messages = encodeUsageMessages([...usageFields(), ...usageFields({ correlationId: 'corr-1' })], 'cadip');
      expect(messages[0].headers).toBeUndefined();
      expect(messages[1].headers).toEqual({ 'x-correlation-id': 'corr-1' });
    });

    it('should give nothing for no fields', () => {
      expect(encodeUsageMessages([], 'cadip')).toEqual([]);
    });
  });
});
