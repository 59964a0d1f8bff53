import { dropDatabases, stackEndpoints } from '@rs/testing';
import {
  type KeyManagerCall,
  keyManagerCaller,
  type RunningKeyManager,
  startKeyManager,
  uniqueDatabaseName,
} from './key-manager.harness';

/**
 * The key manager of one spec file: a database of its own named after `databasePrefix`, and calls from client
 * addresses under `ipPrefix` (see keyManagerCaller).
 */
export function keyManagerSuite(databasePrefix: string, ipPrefix: string) {
  const database = uniqueDatabaseName(databasePrefix);
  const mongoUrl = stackEndpoints.mongoUrl(database);
  const caller = keyManagerCaller(ipPrefix);
  let km: RunningKeyManager | undefined;
  return {
    mongoUrl,
    /** Boots the key manager on the suite's database, with `env` on top. */
    start: async (env: Record<string, string> = {}): Promise<RunningKeyManager> =>
      (km = await startKeyManager({ MONGO_URL: mongoUrl, ...env })),
    call: (path: string, init?: KeyManagerCall) => caller.call(km as RunningKeyManager, path, init),
    /** Closes the key manager, then `clients` (any may be missing after a failed start), and drops the database. */
    stop: async (...clients: ({ close(): Promise<void> } | undefined)[]): Promise<void> => {
      await km?.close();
      for (const client of clients) await client?.close();
      await dropDatabases(database);
    },
  };
}
