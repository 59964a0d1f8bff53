import { DomainError } from '@rs/key-domain';

export type BBox = [number, number, number, number];

type Position = number[];
const GEOMETRY_TYPES = [
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
];
const MAX_POSITIONS = 100_000;

function invalid(message: string): DomainError {
  return DomainError.invalidParameter('geometry', `Invalid GeoJSON geometry: ${message}`);
}

function position(value: unknown): Position {
  if (
    !Array.isArray(value) ||
    value.length < 2 ||
    value.length > 3 ||
    !value.every((n) => typeof n === 'number' && Number.isFinite(n))
  ) {
    throw invalid('a position must be [longitude, latitude] or [longitude, latitude, height]');
  }
  const [lon, lat] = value as number[];
  if ((lon as number) < -180 || (lon as number) > 180 || (lat as number) < -90 || (lat as number) > 90)
    throw invalid('longitude must be within ±180 and latitude within ±90');
  return value as Position;
}

function positions(value: unknown, min: number, what: string): Position[] {
  if (!Array.isArray(value) || value.length < min) throw invalid(`${what} needs at least ${min} positions`);
  return value.map(position);
}

function ring(value: unknown): Position[] {
  const points = positions(value, 4, 'a polygon ring');
  const first = points[0] as Position;
  const last = points[points.length - 1] as Position;
  if (first[0] !== last[0] || first[1] !== last[1]) throw invalid('a polygon ring must end where it starts');
  return points;
}

function list<T>(value: unknown, what: string, each: (item: unknown) => T): T[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid(`${what} must be a non-empty array`);
  return value.map(each);
}

/** Every position of a valid GeoJSON geometry; 400 naming `geometry` explaining what is wrong. */
export function geometryPositions(geometry: unknown, depth = 0): Position[] {
  if (!geometry || typeof geometry !== 'object' || Array.isArray(geometry))
    throw invalid('must be an object with type and coordinates');
  const { type, coordinates, geometries } = geometry as Record<string, unknown>;
  if (typeof type !== 'string' || !GEOMETRY_TYPES.includes(type))
    throw invalid(`type must be one of ${GEOMETRY_TYPES.join(', ')}`);
  let result: Position[];
  switch (type) {
    case 'Point':
      result = [position(coordinates)];
      break;
    case 'MultiPoint':
      result = positions(coordinates, 1, 'a MultiPoint');
      break;
    case 'LineString':
      result = positions(coordinates, 2, 'a LineString');
      break;
    case 'MultiLineString':
      result = list(coordinates, 'MultiLineString coordinates', (line) => positions(line, 2, 'a line')).flat();
      break;
    case 'Polygon':
      result = list(coordinates, 'Polygon coordinates', ring).flat();
      break;
    case 'MultiPolygon':
      result = list(coordinates, 'MultiPolygon coordinates', (polygon) =>
        list(polygon, 'a polygon', ring).flat(),
      ).flat();
      break;
    default:
      if (depth > 0) throw invalid('a GeometryCollection cannot contain another one');
      result = list(geometries, 'GeometryCollection geometries', (member) =>
        geometryPositions(member, depth + 1),
      ).flat();
  }
  if (result.length > MAX_POSITIONS) throw invalid(`at most ${MAX_POSITIONS} positions`);
  return result;
}

/** The 2D bounding box of a valid geometry. */
export function bboxOf(geometry: unknown): BBox {
  const points = geometryPositions(geometry);
  const xs = points.map((point) => point[0] as number);
  const ys = points.map((point) => point[1] as number);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** `bbox=minx,miny,maxx,maxy` (or 6 numbers with heights, which are ignored). */
export function parseBBox(raw: string | number[] | undefined, parameter = 'bbox'): BBox | undefined {
  if (raw === undefined || raw === '') return undefined;
  const values = (
    Array.isArray(raw) ? raw : raw.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part)))
  ) as number[];
  const fail = () =>
    DomainError.invalidParameter(
      parameter,
      `'${parameter}' must be 4 numbers minx,miny,maxx,maxy (or 6 with heights) within ±180/±90`,
    );
  if (
    (values.length !== 4 && values.length !== 6) ||
    !values.every((value) => typeof value === 'number' && Number.isFinite(value))
  )
    throw fail();
  const box: BBox =
    values.length === 4
      ? ([values[0], values[1], values[2], values[3]] as BBox)
      : ([values[0], values[1], values[3], values[4]] as BBox);
  if (box[0] > box[2] || box[1] > box[3] || box[0] < -180 || box[2] > 180 || box[1] < -90 || box[3] > 90) throw fail();
  return box;
}
