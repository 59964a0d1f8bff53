import { DomainError } from '@rs/key-domain';
import {
  compareBy,
  featureCollection,
  overlaps,
  parseInterval,
  DATETIME_INTERVAL_PATTERN,
  ISO_DATE_PATTERN,
  parseIsoDate,
  parseList,
  parseSortBy,
} from './stac.util';

function parameterOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error instanceof DomainError ? error.details['parameter'] : error;
  }
  return undefined;
}

describe('stac.util', () => {
  describe(parseIsoDate.name, () => {
    it('should accept dates and date-times', () => {
      expect(parseIsoDate('2024-01-02', 'start_date').toISOString()).toBe('2024-01-02T00:00:00.000Z');
      expect(parseIsoDate('2024-01-02T03:04:05Z', 'start_date').toISOString()).toBe('2024-01-02T03:04:05.000Z');
    });

    it('should name the parameter when the value is not ISO 8601', () => {
      expect(parameterOf(() => parseIsoDate('yesterday', 'start_date'))).toBe('start_date');
      expect(parameterOf(() => parseIsoDate('2024-13-45', 'start_date'))).toBe('start_date');
    });

    it.each([
      '2024-01-01T24:00:00Z',
      '2024-01-01T10:60Z',
      '2024-01-01T00:00:00+25:00',
      ' 2024-01-01',
      '2024-01-01t00:00Z',
    ])('should refuse %p, which Date would roll over or read loosely', (raw) => {
      expect(parameterOf(() => parseIsoDate(raw, 'start_date'))).toBe('start_date');
      expect(new RegExp(ISO_DATE_PATTERN).test(raw)).toBe(false);
    });
  });

  describe(parseInterval.name, () => {
    it('should read closed, open and instant intervals', () => {
      expect(parseInterval('2024-01-01/2024-01-02', 'datetime')).toEqual({
        start: new Date('2024-01-01'),
        end: new Date('2024-01-02'),
      });
      expect(parseInterval('../2024-01-02', 'datetime')).toEqual({ start: undefined, end: new Date('2024-01-02') });
      expect(parseInterval('2024-01-01/', 'datetime')).toEqual({ start: new Date('2024-01-01'), end: undefined });
      expect(parseInterval('2024-01-01T00:00:00Z', 'datetime')).toEqual({
        start: new Date('2024-01-01'),
        end: new Date('2024-01-01'),
      });
      expect(parseInterval(undefined, 'datetime')).toBeUndefined();
      expect(parseInterval('', 'datetime')).toBeUndefined();
    });

    it.each(['2024-01-01/2024-01-02', '../2024-01-02', '2024-01-01T00:00:00Z/', '', '2024-01-01T10:00+01:00'])(
      'should match %p with DATETIME_INTERVAL_PATTERN, the OpenAPI pattern',
      (raw) => {
        expect(new RegExp(DATETIME_INTERVAL_PATTERN).test(raw)).toBe(true);
      },
    );

    it.each(['../..', '/', ' ', 'a/b/c', '2024-01-01/2024-01-02/2024-01-03'])(
      'should not match %p with DATETIME_INTERVAL_PATTERN',
      (raw) => {
        expect(new RegExp(DATETIME_INTERVAL_PATTERN).test(raw)).toBe(false);
      },
    );

    it.each(['2024-01-02/2024-01-01', '../..', 'a/b/c', 'soon/2024-01-01', ' '])('should refuse %p', (raw) => {
      expect(parameterOf(() => parseInterval(raw, 'datetime'))).toBe('datetime');
    });
  });

  describe(overlaps.name, () => {
    it('should compare closed bounds', () => {
      const interval = { start: new Date('2024-01-02'), end: new Date('2024-01-03') };
      expect(overlaps(new Date('2024-01-01'), new Date('2024-01-02'), interval)).toBe(true);
      expect(overlaps(new Date('2024-01-04'), new Date('2024-01-05'), interval)).toBe(false);
      expect(overlaps(new Date('2020-01-01'), new Date('2020-01-01'), undefined)).toBe(true);
    });
  });

  describe(parseList.name, () => {
    it('should split and trim', () => {
      expect(parseList('a, b,,c')).toEqual(['a', 'b', 'c']);
      expect(parseList(' , ')).toBeUndefined();
    });
  });

  describe(parseSortBy.name, () => {
    const allowed = ['datetime', 'file:size'];
    it('should read the direction, including a + decoded as a space', () => {
      expect(parseSortBy('-datetime', allowed, { field: 'datetime', descending: false })).toEqual({
        field: 'datetime',
        descending: true,
      });
      expect(parseSortBy(' file:size', allowed, { field: 'datetime', descending: true })).toEqual({
        field: 'file:size',
        descending: false,
      });
      expect(parseSortBy(undefined, allowed, { field: 'datetime', descending: true })).toEqual({
        field: 'datetime',
        descending: true,
      });
    });

    it('should refuse an unknown field naming sortby', () => {
      expect(parameterOf(() => parseSortBy('-secret', allowed, { field: 'datetime', descending: true }))).toBe(
        'sortby',
      );
    });
  });

  describe(compareBy.name, () => {
    it('should sort both ways', () => {
      const items = [{ n: 2 }, { n: 1 }, { n: 3 }];
      expect(
        [...items]
          .sort(compareBy((item: { n: number }) => item.n, { field: 'n', descending: false }))
          .map((item) => item.n),
      ).toEqual([1, 2, 3]);
      expect(
        [...items]
          .sort(compareBy((item: { n: number }) => item.n, { field: 'n', descending: true }))
          .map((item) => item.n),
      ).toEqual([3, 2, 1]);
    });
  });

  describe(featureCollection.name, () => {
    it('should count what it returns', () => {
      expect(featureCollection([], 7, 'http://x/search')).toEqual({
        type: 'FeatureCollection',
        features: [],
        numberMatched: 7,
        numberReturned: 0,
        links: [{ rel: 'self', href: 'http://x/search', type: 'application/geo+json' }],
      });
    });
  });
});
