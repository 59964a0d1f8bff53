import { DomainError } from '../domain-error';

function asDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  throw new Error(`expected a DomainError, got ${String(error)}`);
}

/** The DomainError `fn` throws; fails the spec when it returns or throws anything else. */
export function thrownDomainError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    return asDomainError(error);
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

/** The DomainError a promise rejects with; fails the spec when it resolves or rejects with anything else. */
export async function domainErrorOf(promise: Promise<unknown>): Promise<DomainError> {
  return promise.then(
    () => {
      throw new Error('expected a DomainError, the promise resolved');
    },
    (error: unknown) => asDomainError(error),
  );
}
