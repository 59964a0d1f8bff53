const UNAVAILABLE_ERROR_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'DisconnectedError',
]);

/** True for errors that mean "a dependency (database, broker) is down", which callers see as 503. */
export function isDependencyUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_ERROR_NAMES.has(error.name) || UNAVAILABLE_ERROR_NAMES.has(error.constructor?.name)) return true;
  // mongoose queues operations while disconnected and gives up with this message.
  return /buffering timed out|connection .* closed|ECONNREFUSED/i.test(error.message);
}
