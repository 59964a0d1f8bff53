import { DomainError, type DomainErrorCode } from '@rs/key-domain';

/**
 * A parser of route parameters that name one of a fixed set (e.g. a service's stations): the value in canonical
 * upper case, or a DomainError with `code` naming the known values (a 404 by its code).
 */
export function knownValue<T extends string>(
  what: string,
  known: readonly T[],
  code: DomainErrorCode,
): (raw: string | undefined) => T {
  return (raw) => {
    const value = (raw ?? '').toUpperCase();
    if ((known as readonly string[]).includes(value)) return value as T;
    throw new DomainError(code, `Unknown ${what} '${(raw ?? '').slice(0, 20)}': use one of ${known.join(', ')}`);
  };
}
