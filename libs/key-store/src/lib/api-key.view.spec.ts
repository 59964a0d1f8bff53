import { byMostRecentUse, parseStoredConfig, type ApiKeyView } from './api-key.view';

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
});
