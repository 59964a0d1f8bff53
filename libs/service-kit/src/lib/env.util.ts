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
  /** A secret: never has a default, must be long enough to be worth its name. */
  secret:
    (minLength = 16): EnvParser<string> =>
    (raw, name) => {
      const value = required(raw, name, undefined);
      if (value.length < minLength) throw new EnvProblem(`${name} must be at least ${minLength} characters`);
      return value;
    },
};

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
  if (problems.length) throw new EnvValidationError(problems);
  return out as EnvOf<S>;
}
