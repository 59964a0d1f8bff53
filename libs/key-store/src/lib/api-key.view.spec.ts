import { apiKeyRecord } from './testing/api-key-record.test-helper';
import { byMostRecentUse, parseStoredConfig, toApiKeyView, type ApiKeyView } from './api-key.view';

describe('api key view', () => {
  describe(parseStoredConfig.name, () => {
    it('should parse an object and fall back to {} for anything else', () => {
      expect(parseStoredConfig('{"a":1}')).toEqual({ a: 1 });
      expect(parseStoredConfig('[1]')).toEqual({});
      expect(parseStoredConfig('oops')).toEqual({});
    });
  });

  describe(byMostRecentUse.name, () => {
    it('should put used keys first, most recent use first, then the newest unused', () => {
      const view = (id: string, latest: string | null, created: string) =>
        ({ id, latest_query_date: latest, creation_date: created }) as ApiKeyView;
      const sorted = [
        view('unused-old', null, '2026-01-01T00:00:00.000Z'),
        view('used-long-ago', '2026-01-05T00:00:00.000Z', '2025-01-01T00:00:00.000Z'),
        view('unused-new', null, '2026-02-01T00:00:00.000Z'),
        view('used-recently', '2026-02-05T00:00:00.000Z', '2025-01-01T00:00:00.000Z'),
      ].sort(byMostRecentUse);
      expect(sorted.map((item) => item.id)).toEqual(['used-recently', 'used-long-ago', 'unused-new', 'unused-old']);
    });
  });

  describe(toApiKeyView.name, () => {
    const NOW = new Date('2026-03-01T10:00:00Z');
    const rotated = apiKeyRecord({
      scopes: ['rs_cadip_ins_read'],
      rotated_at: new Date('2026-03-01T09:00:00Z'),
      previous_hash: 'h-0',
      previous_hint: 'rsk_old…hint',
      previous_hash_expires_at: new Date('2026-03-01T11:00:00Z'),
    });

    it('should show the scopes, and the replaced value while it still works', () => {
      expect(toApiKeyView(rotated, new Map(), NOW)).toMatchObject({
        scopes: ['rs_cadip_ins_read'],
        rotated_at: '2026-03-01T09:00:00.000Z',
        previous_hint: 'rsk_old…hint',
        previous_secret_expires_at: '2026-03-01T11:00:00.000Z',
      });
    });

    it('should show no replaced value once its grace period is over, and null scopes for an unscoped key', () => {
      expect(toApiKeyView(rotated, new Map(), new Date('2026-03-01T11:00:00Z'))).toMatchObject({
        previous_hint: null,
        previous_secret_expires_at: null,
      });
      expect(toApiKeyView(apiKeyRecord(), new Map(), NOW)).toMatchObject({ scopes: null, rotated_at: null });
    });
  });
});
