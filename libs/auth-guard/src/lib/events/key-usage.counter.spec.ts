import { KeyUsageCounter } from './key-usage.counter';

const HOUR = Date.UTC(2026, 11, 2, 10);

describe(KeyUsageCounter.name, () => {
  let dropped: number;
  let sut: KeyUsageCounter;

  beforeEach(() => {
    dropped = 0;
    sut = new KeyUsageCounter(3, (requests) => (dropped += requests));
  });

  describe('record', () => {
    it('should count per key, method, route and status class, with latency sum, max and histogram', () => {
      sut.record('k1', 'u1', 'GET', '/a', 200, 4, HOUR + 10);
      sut.record('k1', 'u1', 'GET', '/a', 204, 40, HOUR + 20);
      sut.record('k1', 'u1', 'GET', '/a', 499, 3000, HOUR + 5);
      const [window] = sut.take();
      expect(window).toMatchObject({ start: HOUR + 5, end: HOUR + 20 });
      const key = window.keys.get('k1');
      expect(key?.latestRequestAt).toBe(HOUR + 20);
      expect([...(key?.routes.values() ?? [])]).toEqual([
        {
          method: 'GET',
          route: '/a',
          statusClass: 2,
          count: 2,
          latencySumMs: 44,
          latencyMaxMs: 40,
          histogram: [1, 0, 0, 1, 0, 0, 0, 0, 0, 0],
        },
        {
          method: 'GET',
          route: '/a',
          statusClass: 4,
          count: 1,
          latencySumMs: 3000,
          latencyMaxMs: 3000,
          histogram: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        },
      ]);
    });

    it('should start a new window at each UTC hour, so no window spans two', () => {
      sut.record('k1', 'u1', 'GET', '/a', 200, 1, HOUR - 1);
      sut.record('k1', 'u1', 'GET', '/a', 200, 1, HOUR);
      sut.record('k1', 'u1', 'GET', '/a', 200, 1, HOUR + 1);
      const windows = sut.take();
      expect(windows.map((window) => [window.start, window.end])).toEqual([
        [HOUR - 1, HOUR - 1],
        [HOUR, HOUR + 1],
      ]);
    });

    it('should drop requests that would open a series beyond the bound, and keep counting the others', () => {
      for (const route of ['/a', '/b', '/c', '/d']) sut.record('k1', 'u1', 'GET', route, 200, 1, HOUR);
      sut.record('k1', 'u1', 'GET', '/a', 200, 1, HOUR);
      expect(dropped).toBe(1);
      expect(sut.seriesCount).toBe(3);
      const [window] = sut.take();
      expect(window.keys.get('k1')?.routes.get('2GET /a')?.count).toBe(2);
    });
  });

  describe('take', () => {
    it('should hand over what was counted once, and start afresh', () => {
      sut.record('k1', 'u1', 'GET', '/a', 200, 1, HOUR);
      expect(sut.take()).toHaveLength(1);
      expect(sut.take()).toEqual([]);
      expect(sut.seriesCount).toBe(0);
    });
  });
});
