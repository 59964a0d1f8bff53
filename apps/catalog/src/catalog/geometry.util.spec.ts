import { DomainError } from '@rs/key-domain';
import { bboxOf, geometryPositions, parseBBox } from './geometry.util';

const square = {
  type: 'Polygon',
  coordinates: [
    [
      [10, 40],
      [12, 40],
      [12, 42],
      [10, 42],
      [10, 40],
    ],
  ],
};

describe('geometry.util', () => {
  describe(bboxOf.name, () => {
    it('should bound a polygon, a multipolygon and a collection', () => {
      expect(bboxOf(square)).toEqual([10, 40, 12, 42]);
      expect(
        bboxOf({
          type: 'MultiPolygon',
          coordinates: [
            square.coordinates,
            [
              [
                [-5, -5],
                [-4, -5],
                [-4, -4],
                [-5, -5],
              ],
            ],
          ],
        }),
      ).toEqual([-5, -5, 12, 42]);
      expect(
        bboxOf({
          type: 'GeometryCollection',
          geometries: [
            { type: 'Point', coordinates: [1, 2] },
            {
              type: 'LineString',
              coordinates: [
                [3, 4],
                [5, 6, 7],
              ],
            },
          ],
        }),
      ).toEqual([1, 2, 5, 6]);
    });
  });

  describe(geometryPositions.name, () => {
    it.each([
      ['an unknown type', { type: 'Circle', coordinates: [0, 0] }],
      [
        'an open ring',
        {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 1],
            ],
          ],
        },
      ],
      ['a latitude out of range', { type: 'Point', coordinates: [0, 91] }],
      ['text coordinates', { type: 'Point', coordinates: ['0', '1'] }],
      [
        'a nested collection',
        { type: 'GeometryCollection', geometries: [{ type: 'GeometryCollection', geometries: [] }] },
      ],
      ['no object', 'POINT(0 0)'],
    ])('should refuse %s naming geometry', (_label, geometry) => {
      expect(() => geometryPositions(geometry)).toThrow(DomainError);
      try {
        geometryPositions(geometry);
      } catch (error) {
        expect((error as DomainError).details['parameter']).toBe('geometry');
      }
    });
  });

  describe(parseBBox.name, () => {
    it('should read 4 or 6 numbers', () => {
      expect(parseBBox('1,2,3,4')).toEqual([1, 2, 3, 4]);
      expect(parseBBox('1,2,0,3,4,100')).toEqual([1, 2, 3, 4]);
      expect(parseBBox([1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
      expect(parseBBox(undefined)).toBeUndefined();
    });

    it.each(['1,2,3', '3,2,1,4', 'a,b,c,d', '1,,3,4', '-200,0,0,0'])('should refuse %p', (raw) => {
      expect(() => parseBBox(raw)).toThrow(/'bbox' must be 4 numbers/);
    });
  });
});
