// Keycloak changes reaching the guards: the real key manager, key worker (following Keycloak's admin events)
// and guarded services, with the real Keycloak, Kafka and Mongo-wire DB. A user disabled, a role removed or an
// account deleted in Keycloak stops the user's keys at every service within seconds; re-enabling restores them.
import {
  createUser,
  deleteUser,
  dropDatabases,
  eventually,
  removeRealmRoles,
  setUserEnabled,
  stackEndpoints,
  userToken,
} from '@rs/testing';
import { randomBytes } from 'node:crypto';
import { type RunningApp, startBuiltApp, uniqueDatabase } from './guarded-apps.harness';
import { keyManagerApi } from './key-manager.client';

const LIFECYCLE_LISTENING = 'Listening to rs.apikey.lifecycle.v1';
/** What the issue allows from the change in Keycloak to the refusal at every guard. */
const DEADLINE_MS = 10_000;
const PROBES = {
  auxip: '/auxip/search?limit=1',
  cadip: '/cadip/MTI/session?platform=S1A&limit=1',
} as const;
type ServiceName = keyof typeof PROBES;
const SERVICES = Object.keys(PROBES) as ServiceName[];
const ROLES = ['rs_auxip_adgs_read', 'rs_cadip_mti_read'];

describe('Keycloak changes reaching every guard', () => {
  const database = uniqueDatabase('kcchanges');
  const suffix = randomBytes(4).toString('hex');
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const users = { disabled: `kc-off-${suffix}`, reroled: `kc-role-${suffix}`, deleted: `kc-gone-${suffix}` };
  const keys: Record<string, string> = {};
  const apps: Partial<Record<'key-manager' | 'key-worker' | ServiceName, RunningApp>> = {};

  const status = async (service: ServiceName, key: string) =>
    (await fetch(`${apps[service]?.url}${PROBES[service]}`, { headers: { 'x-api-key': key } })).status;
  const statuses = (key: string) => Promise.all(SERVICES.map((service) => status(service, key)));

  /** Waits until every service answers `expected` for the key; returns how long it took. */
  async function untilEveryService(key: string, expected: number): Promise<number> {
    const started = Date.now();
    await eventually(
      async () => {
        const seen = await statuses(key);
        if (seen.some((code) => code !== expected)) throw new Error(`services answered ${seen.join(', ')}`);
      },
      DEADLINE_MS,
      100,
    );
    return Date.now() - started;
  }

  beforeAll(async () => {
    for (const username of Object.values(users)) await createUser(username, password, ROLES);
    const mongoUrl = stackEndpoints.mongoUrl(database);
    // The probes below fail on purpose, many times a second: the failure throttle is not under test here.
    apps['key-manager'] = await startBuiltApp('key-manager', { MONGO_URL: mongoUrl, CHECK_FAILURE_LIMIT: '100000' });
    apps['key-worker'] = await startBuiltApp('key-worker', {
      MONGO_URL: mongoUrl,
      BULLMQ_PREFIX: `kc-${suffix}`,
      KEY_EXPIRY_EVERY_MS: '0',
      EXPIRING_NOTICE_EVERY_MS: '0',
      KEYCLOAK_SYNC_EVERY_MS: '0',
      USAGE_RETENTION_EVERY_MS: '0',
      KEYCLOAK_EVENTS_EVERY_MS: '500',
    });
    const started = await Promise.all(
      SERVICES.map((service) => startBuiltApp(service, { KEY_MANAGER_URL: apps['key-manager']?.url as string })),
    );
    started.forEach((app, index) => (apps[SERVICES[index] as ServiceName] = app));
    await Promise.all(started.map((app) => app.waitForLog(LIFECYCLE_LISTENING)));
    await apps['key-worker'].waitForLog('Following Keycloak admin events from now on');
    const api = keyManagerApi(apps['key-manager'].url);
    for (const [role, username] of Object.entries(users))
      keys[role] = await api.create(await userToken(username, password), `kc-${role}`);
  }, 240_000);

  afterAll(async () => {
    for (const username of Object.values(users)) await deleteUser(username).catch(() => undefined);
    await Promise.all(Object.values(apps).map((app) => app?.stop()));
    await dropDatabases(database);
  });

  it('should let every user in before any change', async () => {
    for (const key of Object.values(keys)) expect(await statuses(key)).toEqual([200, 200]);
  });

  it('should refuse a disabled user at every service within 10 s, and let them in again once re-enabled', async () => {
    await setUserEnabled(users.disabled, false);
    const refusedAfter = await untilEveryService(keys['disabled'] as string, 403);
    await setUserEnabled(users.disabled, true);
    const restoredAfter = await untilEveryService(keys['disabled'] as string, 200);
    console.log(`disabled user refused after ${refusedAfter} ms, re-enabled user back after ${restoredAfter} ms`);
  });

  it('should refuse a removed role at every service within 10 s, keeping the others', async () => {
    await removeRealmRoles(users.reroled, ['rs_cadip_mti_read']);
    const started = Date.now();
    await eventually(
      async () => {
        const seen = await statuses(keys['reroled'] as string);
        if (seen[1] !== 403) throw new Error(`cadip answered ${seen[1]}`);
        expect(seen[0]).toBe(200);
      },
      DEADLINE_MS,
      100,
    );
    console.log(`removed role refused after ${Date.now() - started} ms`);
  });

  it('should revoke the keys of a deleted user at every service within 10 s', async () => {
    await deleteUser(users.deleted);
    const refusedAfter = await untilEveryService(keys['deleted'] as string, 403);
    console.log(`deleted user's key refused after ${refusedAfter} ms`);
  });
});
