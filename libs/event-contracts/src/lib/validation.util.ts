/** Result of validating an untrusted payload against a contract schema. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export type FieldCheck = (value: unknown) => boolean;

const ISO_TIME_PREFIX = /^\d{4}-\d{2}-\d{2}T/;
const DAY_MS = 86_400_000;

/** Value of the two decimal digits at `index`, or -1. */
function twoDigitsAt(text: string, index: number): number {
  const tens = text.charCodeAt(index) - 48;
  const units = text.charCodeAt(index + 1) - 48;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -1;
}

/** Days from 1970-01-01 to year-month-day (proleptic Gregorian); linear in `day`, so day 31 of a short month overflows as Date.UTC does. */
function daysFromCivil(year: number, month: number, day: number): number {
  const shifted = month <= 2 ? year - 1 : year;
  const era = Math.floor(shifted / 400);
  const yearOfEra = shifted - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Milliseconds of an ISO 8601 time (`YYYY-MM-DDT…`), NaN when it is not one. Exactly `Date.parse` on such
 * text; the two UTC forms producers send (`…THH:MM:SSZ`, `…THH:MM:SS.sssZ`) are read without it, which is
 * several times cheaper on the usage hot path (tens of thousands of events per second).
 */
export function isoTimeToMs(value: string): number {
  const length = value.length;
  if ((length === 24 || length === 20) && value.charCodeAt(length - 1) === 90 /* Z */) {
    const fast = utcIsoToMs(value, length === 24);
    if (!Number.isNaN(fast)) return fast;
  }
  return ISO_TIME_PREFIX.test(value) ? Date.parse(value) : Number.NaN;
}

/** The fixed-width UTC forms; NaN for anything else (the caller then asks Date.parse, which has the last word). */
function utcIsoToMs(text: string, withMilliseconds: boolean): number {
  if (
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58
  ) {
    return Number.NaN;
  }
  if (withMilliseconds && text.charCodeAt(19) !== 46) return Number.NaN;
  const century = twoDigitsAt(text, 0);
  const yearOfCentury = twoDigitsAt(text, 2);
  const month = twoDigitsAt(text, 5);
  const day = twoDigitsAt(text, 8);
  const hour = twoDigitsAt(text, 11);
  const minute = twoDigitsAt(text, 14);
  const second = twoDigitsAt(text, 17);
  // Hour 24 and other corner cases (and non-digits, -1) are left to Date.parse.
  if (
    century < 0 ||
    yearOfCentury < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return Number.NaN;
  }
  let milliseconds = 0;
  if (withMilliseconds) {
    const tensOfMilliseconds = twoDigitsAt(text, 20);
    const units = text.charCodeAt(22) - 48;
    if (tensOfMilliseconds < 0 || units < 0 || units > 9) return Number.NaN;
    milliseconds = tensOfMilliseconds * 10 + units;
  }
  return (
    daysFromCivil(century * 100 + yearOfCentury, month, day) * DAY_MS +
    ((hour * 60 + minute) * 60 + second) * 1000 +
    milliseconds
  );
}

export const isNonEmptyString: FieldCheck = (value) =>
  typeof value === 'string' && value.length > 0 && value.length <= 512;
export const isIsoTime: FieldCheck = (value) => typeof value === 'string' && !Number.isNaN(isoTimeToMs(value));
export const isNonNegativeInteger: FieldCheck = (value) => Number.isSafeInteger(value) && (value as number) >= 0;
export const isNonNegativeNumber: FieldCheck = (value) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;
export const optional =
  (check: FieldCheck): FieldCheck =>
  (value) =>
    value === undefined || value === null || check(value);
export const oneOf =
  (values: readonly unknown[]): FieldCheck =>
  (value) =>
    values.includes(value);

/** Text of JSON bytes; a Buffer is decoded in place (Buffer.from(buffer) would copy it first). */
function textOf(bytes: Uint8Array): string {
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString(
    'utf8',
  );
}

/** A JSON object given as an object, JSON text or JSON bytes. */
export function parseJsonObject(raw: unknown): ParseResult<Record<string, unknown>> {
  let value: unknown = raw;
  if (raw instanceof Uint8Array) value = textOf(raw);
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { ok: false, reason: 'payload is not valid JSON' };
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, reason: 'payload is not a JSON object' };
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * A parser for one schema, its field list prepared once: JSON text or bytes in, the first bad field named
 * in the reason. Build it at module level for payloads parsed on a hot path.
 */
export function schemaParser<T>(schema: Record<string, FieldCheck>): (raw: unknown) => ParseResult<T> {
  const fields = Object.keys(schema);
  const checks = fields.map((field) => schema[field]);
  const reasons = fields.map((field) => `field '${field}' is missing or invalid`);
  return (raw) => {
    const parsed = parseJsonObject(raw);
    if (!parsed.ok) return parsed;
    const record = parsed.value;
    for (let index = 0; index < checks.length; index++) {
      if (!checks[index](record[fields[index]])) return { ok: false, reason: reasons[index] };
    }
    return { ok: true, value: record as T };
  };
}

/** Parses JSON text or bytes and checks each field of the schema; the reason names the first bad field. */
export function parseWithSchema<T>(raw: unknown, schema: Record<string, FieldCheck>): ParseResult<T> {
  return schemaParser<T>(schema)(raw);
}
