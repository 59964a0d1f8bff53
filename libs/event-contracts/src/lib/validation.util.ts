/** Result of validating an untrusted payload against a contract schema. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export type FieldCheck = (value: unknown) => boolean;

export const isNonEmptyString: FieldCheck = (value) => typeof value === 'string' && value.length > 0 && value.length <= 512;
export const isIsoTime: FieldCheck = (value) =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
export const isNonNegativeInteger: FieldCheck = (value) => Number.isSafeInteger(value) && (value as number) >= 0;
export const isNonNegativeNumber: FieldCheck = (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
export const optional =
  (check: FieldCheck): FieldCheck =>
  (value) =>
    value === undefined || value === null || check(value);
export const oneOf =
  (values: readonly unknown[]): FieldCheck =>
  (value) =>
    values.includes(value);

/** Parses JSON text or bytes and checks each field of the schema; the reason names the first bad field. */
export function parseWithSchema<T>(raw: unknown, schema: Record<string, FieldCheck>): ParseResult<T> {
  let value: unknown = raw;
  if (raw instanceof Uint8Array) value = Buffer.from(raw).toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { ok: false, reason: 'payload is not valid JSON' };
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'payload is not a JSON object' };
  const record = value as Record<string, unknown>;
  for (const [field, check] of Object.entries(schema)) {
    if (!check(record[field])) return { ok: false, reason: `field '${field}' is missing or invalid` };
  }
  return { ok: true, value: record as T };
}
