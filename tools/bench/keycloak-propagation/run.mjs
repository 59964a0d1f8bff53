#!/usr/bin/env node
// Keycloak change propagation: how long after an administrator disables a user in Keycloak every guarded
// service refuses the user's key, and how long after re-enabling it works again. Starts the built key manager,
// key worker (following Keycloak's admin events every --events-every-ms) and Auxip + Cadip against tools/stack,
// makes a user of its own with a key, then N times: disable (admin REST API), poll both services every
// --poll-ms until both answer 403; enable, poll until both answer 200. See docs/benchmarks.md.
//
//   node tools/bench/keycloak-propagation/run.mjs [--iterations 30] [--events-every-ms 2000] [--poll-ms 20]
import { randomBytes } from 'node:crypto';
import { benchArgs, percentiles, sleep, startBuiltApp, uniqueDatabase } from '../built-apps.mjs';
import { createUser, dropDatabase, keycloakAdmin, mongoUrl, userToken } from '../stack-clients.mjs';

const args = benchArgs();
const iterations = Number(args.iterations ?? 30);
const eventsEveryMs = String(args['events-every-ms'] ?? 2000);
const pollMs = Number(args['poll-ms'] ?? 20);
const PROBES = { auxip: '/auxip/search?limit=1', cadip: '/cadip/MTI/session?platform=S1A&limit=1' };
const ROLES = ['rs_auxip_adgs_read', 'rs_cadip_mti_read'];

/** Polls every service until all answer `expected`; ms from `since` (performance.now()) to that moment. */
async function untilAll(services, key, expected, since) {
  const pending = new Set(Object.keys(services));
  while (pending.size) {
    await Promise.all(
      [...pending].map(async (name) => {
        const response = await fetch(`${services[name].url}${PROBES[name]}`, { headers: { 'x-api-key': key } });
        await response.arrayBuffer();
        if (response.status === expected) pending.delete(name);
      }),
    );
    if (performance.now() - since > 30_000) throw new Error(`no ${expected} from ${[...pending]} within 30 s`);
    if (pending.size) await sleep(pollMs);
  }
  return performance.now() - since;
}

const database = uniqueDatabase('benchkc');
const username = `bench-kc-${randomBytes(4).toString('hex')}`;
const password = randomBytes(16).toString('hex');
const apps = [];
let userId;
try {
  userId = await createUser(username, password, ROLES);
  const keyManager = await startBuiltApp('key-manager', {
    MONGO_URL: mongoUrl(database),
    // Every disabled probe is a failed check from this host: keep the brute-force limiter out of the way.
    CHECK_FAILURE_LIMIT: '1000000',
  });
  apps.push(keyManager);
  const worker = await startBuiltApp('key-worker', {
    MONGO_URL: mongoUrl(database),
    BULLMQ_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    KEY_EXPIRY_EVERY_MS: '0',
    EXPIRING_NOTICE_EVERY_MS: '0',
    KEYCLOAK_SYNC_EVERY_MS: '0',
    USAGE_RETENTION_EVERY_MS: '0',
    KEYCLOAK_EVENTS_EVERY_MS: eventsEveryMs,
  });
  apps.push(worker);
  const services = {};
  for (const name of Object.keys(PROBES)) {
    services[name] = await startBuiltApp(name, { KEY_MANAGER_URL: keyManager.url });
    apps.push(services[name]);
  }
  await Promise.all(Object.values(services).map((app) => app.waitForLog('Listening to rs.apikey.lifecycle.v1')));
  await worker.waitForLog('Following Keycloak admin events from now on');
  const created = await fetch(`${keyManager.url}/auth/api_key/new?name=bench-kc`, {
    headers: { authorization: `Bearer ${await userToken(username, password)}` },
  });
  if (!created.ok) throw new Error(`create key: ${created.status}`);
  const key = await created.json();
  await untilAll(services, key, 200, performance.now());

  const refused = [];
  const restored = [];
  for (let iteration = 0; iteration < iterations; iteration++) {
    let since = performance.now();
    await keycloakAdmin(`/users/${userId}`, { method: 'PUT', body: JSON.stringify({ enabled: false }) });
    refused.push(await untilAll(services, key, 403, since));
    since = performance.now();
    await keycloakAdmin(`/users/${userId}`, { method: 'PUT', body: JSON.stringify({ enabled: true }) });
    restored.push(await untilAll(services, key, 200, since));
    process.stdout.write(`\riteration ${iteration + 1}/${iterations}`);
  }
  const round = (stats) => Object.fromEntries(Object.entries(stats).map(([name, value]) => [name, Math.round(value)]));
  console.log(`\nadmin events polled every ${eventsEveryMs} ms, services polled every ${pollMs} ms`);
  console.log('disable → refused by every service (ms):', round(percentiles(refused)));
  console.log('enable → accepted by every service (ms):', round(percentiles(restored)));
} finally {
  await Promise.all(apps.map((app) => app.stop()));
  if (userId) await keycloakAdmin(`/users/${userId}`, { method: 'DELETE' }).catch(() => undefined);
  await dropDatabase(database);
}
