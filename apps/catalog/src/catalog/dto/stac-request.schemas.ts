import { ApiSchema, type ApiSchemaOptions } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ISO_DATE_PATTERN } from '@rs/stac';
import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';

// OpenAPI schemas of what the catalog accepts in request bodies, kept beside the validators that enforce
// them: the committed spec must say exactly what the code refuses (schemathesis checks it in `npm test`).

/**
 * The body refuses unknown fields (the global ValidationPipe forbids them); the spec says so. ApiSchema
 * passes the extra keyword through to the schema although its type only names `name` and `description`.
 */
export function ClosedBodySchema(): ClassDecorator {
  return ApiSchema({ additionalProperties: false } as ApiSchemaOptions);
}

/**
 * An optional body field: absent is fine, null is not (IsOptional would let null through, and it would be stored
 * and served where the spec promises a value of the field's type).
 */
export function OptionalField(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}

/** [longitude, latitude(, height)]. Latitude's narrower range (±90) needs tuple schemas, which OpenAPI 3.0 lacks. */
const POSITION: SchemaObject = {
  type: 'array',
  items: { type: 'number', minimum: -180, maximum: 180 },
  minItems: 2,
  maxItems: 3,
  description: '[longitude, latitude] or [longitude, latitude, height]; latitude within ±90',
};
const positions = (minItems: number): SchemaObject => ({ type: 'array', items: POSITION, minItems });
const RING: SchemaObject = { ...positions(4), description: 'A closed ring: the last position equals the first' };
const geometry = (type: string, coordinates: SchemaObject): SchemaObject => ({
  type: 'object',
  required: ['type', 'coordinates'],
  properties: { type: { type: 'string', enum: [type] }, coordinates },
});
const SIMPLE_GEOMETRIES: SchemaObject[] = [
  geometry('Point', POSITION),
  geometry('MultiPoint', positions(1)),
  geometry('LineString', positions(2)),
  geometry('MultiLineString', { type: 'array', items: positions(2), minItems: 1 }),
  geometry('Polygon', { type: 'array', items: RING, minItems: 1 }),
  geometry('MultiPolygon', { type: 'array', items: { type: 'array', items: RING, minItems: 1 }, minItems: 1 }),
];

/** A GeoJSON geometry (RFC 7946), as geometry.util checks it. */
export const GEOMETRY_SCHEMA: SchemaObject = {
  nullable: true,
  description: 'GeoJSON geometry (WGS 84) or null; a GeometryCollection holds no other collection',
  oneOf: [
    ...SIMPLE_GEOMETRIES,
    {
      type: 'object',
      required: ['type', 'geometries'],
      properties: {
        type: { type: 'string', enum: ['GeometryCollection'] },
        geometries: { type: 'array', items: { oneOf: SIMPLE_GEOMETRIES }, minItems: 1 },
      },
    },
  ],
};

/** minx,miny,maxx,maxy or, with heights, minx,miny,minz,maxx,maxy,maxz. */
export const BBOX_SCHEMA: SchemaObject = {
  type: 'array',
  items: { type: 'number' },
  minItems: 4,
  maxItems: 6,
  not: { type: 'array', minItems: 5, maxItems: 5 },
  description: '4 numbers, or 6 with heights',
};

const DATE_TIME: SchemaObject = { type: 'string', pattern: ISO_DATE_PATTERN };

/** Item properties: `datetime`, or `datetime` null with `start_datetime` and `end_datetime` (not before it). */
const ITEM_PROPERTIES: SchemaObject = {
  type: 'object',
  additionalProperties: true,
  properties: {
    datetime: { ...DATE_TIME, nullable: true },
    start_datetime: DATE_TIME,
    end_datetime: DATE_TIME,
  },
  anyOf: [
    { required: ['datetime'], properties: { datetime: { type: 'string' } } },
    { required: ['start_datetime', 'end_datetime'] },
  ],
};
// Wrapped in allOf: Nest drops `type: 'object'` from a property schema that lists its own properties.
export const ITEM_PROPERTIES_SCHEMA: SchemaObject = {
  allOf: [ITEM_PROPERTIES],
  description: 'Must hold datetime, or datetime null with start_datetime and end_datetime (ISO 8601)',
  example: { datetime: '2024-01-05T10:10:29Z' },
};

/** A link a client adds to a collection or item: `rel` and `href`, the known fields typed, others free. */
export const LINK_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['rel', 'href'],
  properties: {
    rel: { type: 'string' },
    href: { type: 'string' },
    type: { type: 'string' },
    title: { type: 'string' },
    method: { type: 'string' },
    body: { type: 'object', additionalProperties: true },
  },
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The problem with a client's link, or undefined when it is one LINK_SCHEMA accepts. */
export function linkProblem(link: unknown): string | undefined {
  if (!isPlainObject(link)) return 'each link must be an object';
  for (const field of ['rel', 'href'])
    if (typeof link[field] !== 'string') return `each link needs a string '${field}'`;
  for (const field of ['type', 'title', 'method'])
    if (link[field] !== undefined && typeof link[field] !== 'string') return `a link's '${field}' must be a string`;
  if (link['body'] !== undefined && !isPlainObject(link['body'])) return "a link's 'body' must be an object";
  return undefined;
}

/** Every element is a link LINK_SCHEMA accepts (a link without `rel` would be stored and served broken). */
export function IsStacLinks(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStacLinks',
      validator: {
        validate: (value: unknown) => Array.isArray(value) && value.every((link) => linkProblem(link) === undefined),
        defaultMessage: (args) =>
          (Array.isArray(args?.value) && args.value.map(linkProblem).find(Boolean)) || 'links must be an array',
      },
    },
    options,
  );
}

/** 4 or 6 numbers (BBOX_SCHEMA). */
export function IsBBox(parameter: string): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isBBox',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          (value.length === 4 || value.length === 6) &&
          value.every((number) => typeof number === 'number' && Number.isFinite(number)),
      },
    },
    { message: `${parameter} must be 4 numbers, or 6 with heights` },
  );
}
