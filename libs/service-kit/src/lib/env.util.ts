import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { errorMessage } from './retry.util';
/**
 * Tiny typed environment reader: every app declares its variables once, reads them at boot, and fails
 * fast with one message listing every bad variable. Only config code should touch process.env.
 */
export type EnvParser<T> = (raw: string | undefined, name: string) => T;

export class EnvValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'EnvValidationError';
  }
}

class EnvProblem extends Error {}

/** Parsers of secrets: production holds their values to a stricter standard (see productionProblems). */
const SECRET_PARSERS = new WeakSet<EnvParser<unknown>>();

function secretParser<T>(parser: EnvParser<T>): EnvParser<T> {
  SECRET_PARSERS.add(parser);
  return parser;
}

function required(raw: string | undefined, name: string, fallback: string | undefined): string {
  const value = raw === undefined || raw === '' ? fallback : raw;
  if (value === undefined) throw new EnvProblem(`${name} is required`);
  return value;
}

export const env = {
  string:
    (fallback?: string): EnvParser<string> =>
    (raw, name) =>
      required(raw, name, fallback),
  int:
    (fallback?: number, { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {}): EnvParser<number> =>
    (raw, name) => {
      const value = Number(required(raw, name, fallback?.toString()));
      if (!Number.isInteger(value) || value < min || value > max)
        throw new EnvProblem(`${name} must be an integer in [${min}, ${max}], got '${raw}'`);
      return value;
    },
  bool:
    (fallback?: boolean): EnvParser<boolean> =>
    (raw, name) => {
      const value = required(raw, name, fallback?.toString()).toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(value)) return true;
      if (['false', '0', 'no', 'off'].includes(value)) return false;
      throw new EnvProblem(`${name} must be true or false, got '${raw}'`);
    },
  url:
    (fallback?: string): EnvParser<string> =>
    (raw, name) => {
      const value = required(raw, name, fallback);
      try {
        new URL(value);
      } catch {
        throw new EnvProblem(`${name} must be a URL, got '${value}'`);
      }
      return value.replace(/\/+$/, '');
    },
  list:
    (fallback?: string): EnvParser<string[]> =>
    (raw, name) =>
      required(raw, name, fallback)
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
  /** Any structured value: `parse` throws an Error whose message says what is wrong. */
  custom:
    <T>(fallback: string | undefined, parse: (value: string) => T): EnvParser<T> =>
    (raw, name) => {
      const value = required(raw, name, fallback);
      try {
        return parse(value);
      } catch (error) {
        throw new EnvProblem(`${name}: ${errorMessage(error)}`);
      }
    },
  /** An optional URL: undefined when unset. */
  optionalUrl: (): EnvParser<string | undefined> => (raw, name) =>
    raw === undefined || raw === '' ? undefined : env.url()(raw, name),
  /** An optional integer: undefined when unset (the caller derives a default from other variables). */
  optionalInt:
    (bounds: { min?: number; max?: number } = {}): EnvParser<number | undefined> =>
    (raw, name) =>
      raw === undefined || raw === '' ? undefined : env.int(undefined, bounds)(raw, name),
  /** An optional string: undefined when unset. */
  optionalString: (): EnvParser<string | undefined> => (raw) => (raw === undefined || raw === '' ? undefined : raw),
  /** A secret: never has a default, must be long enough to be worth its name. */
  secret: (minLength = 16): EnvParser<string> =>
    secretParser((raw, name) => {
      const value = required(raw, name, undefined);
      if (value.length < minLength) throw new EnvProblem(`${name} must be at least ${minLength} characters`);
      return value;
    }),
  /** An optional secret (a feature that needs it is off without it): undefined when unset. */
  optionalSecret: (minLength = 16): EnvParser<string | undefined> =>
    secretParser((raw, name) => (raw === undefined || raw === '' ? undefined : env.secret(minLength)(raw, name))),
  /**
   * Express `trust proxy`: the addresses or CIDRs of the reverse proxies whose `X-Forwarded-For` is believed, or
   * none (false). `loopback` (a proxy on the same host) is the one name kept; `uniquelocal`, `linklocal` and hop
   * counts are refused: they trust any neighbour, which can then pose as any client.
   */
  trustProxy:
    (fallback = 'none'): EnvParser<string | false> =>
    (raw, name) => {
      const value = required(raw, name, fallback).trim();
      if (['none', 'false'].includes(value.toLowerCase())) return false;
      const entries = value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      const wrong = entries.filter((entry) => entry !== 'loopback' && !isAddressOrCidr(entry));
      if (wrong.length || !entries.length)
        throw new EnvProblem(
          `${name} must list proxy addresses or CIDRs (e.g. '10.0.0.5,10.1.0.0/16'), or be 'none'; ` +
            `got '${wrong.join(',') || value}'`,
        );
      return entries.join(',');
    },
};

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/** Shortest secret production accepts, whatever the variable's own minimum (a Keycloak client secret has 32). */
export const PRODUCTION_SECRET_MIN_LENGTH = 32;

/**
 * Secrets of the development setups (docker/docker-compose.yml defaults, the development realm's client secrets,
 * Keycloak's bootstrap admin): public, so production refuses them. Coupled to docker/ and tools/apps.mjs.
 */
export const KNOWN_DEVELOPMENT_SECRETS: readonly string[] = [
  'change-me-development-only-hash-secret',
  'rs-key-manager-dev-secret',
  'rs-auxip-dev-secret',
  'rs-cadip-dev-secret',
  'rs-catalog-dev-secret',
  'admin',
  'password',
];

// Words that mark a value as a placeholder or a development default.
const DEVELOPMENT_MARKERS = /dev-secret|dev-only|development-only|change-?me/i;

export type EnvSchema = Record<string, EnvParser<unknown>>;
export type EnvOf<S extends EnvSchema> = { [K in keyof S]: S[K] extends EnvParser<infer T> ? T : never };

/** Reads every variable of the schema from `source`; throws EnvValidationError listing all problems. */
export function readEnv<S extends EnvSchema>(schema: S, source: NodeJS.ProcessEnv = process.env): EnvOf<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, parse] of Object.entries(schema)) {
    try {
      out[name] = parse(source[name], name);
    } catch (error) {
      if (!(error instanceof EnvProblem)) throw error;
      problems.push(error.message);
    }
  }
  if (!problems.length && source['NODE_ENV'] === 'production')
    problems.push(...productionProblems(schema, out, source));
  if (problems.length) throw new EnvValidationError(problems);
  return out as EnvOf<S>;
}

/**
 * Why a configuration is unfit for production: a secret that is a known development value (or shorter than
 * PRODUCTION_SECRET_MIN_LENGTH), or a URL whose password is one. Only with NODE_ENV=production.
 */
export function productionProblems(
  schema: EnvSchema,
  values: Record<string, unknown>,
  source: NodeJS.ProcessEnv = process.env,
): string[] {
  const known = new Set([...KNOWN_DEVELOPMENT_SECRETS, ...generatedDevelopmentSecrets(source)]);
  const isDevelopment = (value: string) => known.has(value) || DEVELOPMENT_MARKERS.test(value);
  const problems: string[] = [];
  for (const [name, parse] of Object.entries(schema)) {
    const value = values[name];
    if (typeof value !== 'string' || !value) continue;
    const secret = SECRET_PARSERS.has(parse) || /(SECRET|PASSWORD)$/.test(name);
    if (secret && isDevelopment(value)) problems.push(`${name} holds a known development secret`);
    else if (secret && value.length < PRODUCTION_SECRET_MIN_LENGTH)
      problems.push(`${name} must be at least ${PRODUCTION_SECRET_MIN_LENGTH} characters in production`);
    else if (!secret && isDevelopment(passwordOfUrl(value)))
      problems.push(`${name} holds a known development password`);
  }
  return problems.map((problem) => `${problem} (NODE_ENV=production)`);
}

function passwordOfUrl(value: string): string {
  if (!value.includes('://')) return '';
  try {
    return decodeURIComponent(new URL(value).password);
  } catch {
    return '';
  }
}

/** The secrets tools/apps.mjs generated for this clone (.stack/dev-secrets.json), when the file is here. */
function generatedDevelopmentSecrets(source: NodeJS.ProcessEnv): string[] {
  const file = path.join(source['RS_STACK_DIR'] || path.join(process.cwd(), '.stack'), 'dev-secrets.json');
  try {
    const secrets = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    return Object.values(secrets).filter((value): value is string => typeof value === 'string');
  } catch {
    return [];
  }
}
