import { API_KEY_CHECKSUM_LENGTH, API_KEY_PREFIX, API_KEY_SECRET_LENGTH } from '@rs/key-domain';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

// The formats the key manager's query parameters are validated against, declared once so the OpenAPI
// document states exactly what the validation accepts (schemathesis checks both ways in `npm test`).

/** A key value's shape; the checksum is verified by the routes (a mismatch names no key: 404). */
const API_KEY_BODY_LENGTH = API_KEY_SECRET_LENGTH + API_KEY_CHECKSUM_LENGTH;
export const API_KEY_VALUE_PATTERN = `^${API_KEY_PREFIX}[0-9A-Za-z]{${API_KEY_BODY_LENGTH}}$`;

/** A key id: a version 4 UUID, as the key manager generates them (class-validator's IsUUID('4')). */
export const KEY_ID_PATTERN = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-4[0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$';

/**
 * A key name: at most 128 characters, no control character, not only white space (the characters
 * String.prototype.trim removes are spelt out, so the pattern means the same in every regex dialect).
 */
export const KEY_NAME_PATTERN =
  '^[^\\x00-\\x1F\\x7F-\\x9F]*' +
  '[^\\x00-\\x20\\x7F-\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF]' +
  '[^\\x00-\\x1F\\x7F-\\x9F]*$';

const LABEL = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
// The last label of an origin's host starts with a letter: an all-digit one would be read as an IPv4 address.
const TOP_LABEL = '[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const PORT = '(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?';

/** One `allowed_referers` entry: a host name (optionally `*.` and a port) or an http(s) origin. */
export const REFERER_ENTRY_PATTERN =
  `^((\\*\\.)?${LABEL}(\\.${LABEL})*${PORT}` +
  `|[Hh][Tt][Tt][Pp][Ss]?://((${LABEL}\\.)*${TOP_LABEL}|(${IPV4_OCTET}\\.){3}${IPV4_OCTET})${PORT})$`;
export const MAX_REFERER_ENTRY_LENGTH = 253;

/** One `scopes` entry: a role name, without white space or control characters. */
export const SCOPE_PATTERN = '^[^\\x00-\\x20\\x7F-\\xA0]+$';

const DECIMAL = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/**
 * A decimal number query parameter to a number; any other text (empty, padded, hexadecimal) stays as it is and
 * fails the number validation, which `Number()` alone would not do (it reads '' as 0).
 */
export function toDecimalNumber({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant of an RFC 3339 date-time (OpenAPI's `date-time`), or undefined when the text is not one. A
 * leap second (:60) is read as :59, which JavaScript dates cannot hold.
 */
export function parseDateTime(text: string): Date | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const [offsetHours, offsetMinutes] = [Number(match[10] ?? 0), Number(match[11] ?? 0)];
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeapYear(year) ? 1 : 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 60 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const fraction = match[7] ? Number(`0${match[7]}`) : 0;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, Math.min(second, 59), Math.floor(fraction * 1000));
  const offset = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return new Date(utc.getTime() - offset * 60_000);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * An RFC 3339 date-time query parameter: refused with 400 unless it is one, then handed on as the same
 * instant in `toISOString()` form, which every later parse reads alike.
 */
export function IsDateTimeParameter(name: string): PropertyDecorator {
  return (target: object, property: string | symbol) => {
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? (parseDateTime(value)?.toISOString() ?? value) : value,
    )(target, property);
    ValidateBy(
      {
        name: 'isDateTimeParameter',
        validator: { validate: (value: unknown) => typeof value === 'string' && parseDateTime(value) !== undefined },
      },
      { message: `Query parameter '${name}' must be an RFC 3339 date-time, e.g. 2030-01-31T00:00:00Z` },
    )(target, property);
  };
}
