#!/usr/bin/env node
// Revocation propagation: how long after a revocation every guarded service refuses the key. Starts the
// built key manager and the three services against tools/stack (Kafka, Mongo-wire DB, Keycloak), then N
// times: create a key (alice), make each service cache it, revoke it, and poll each service every
// POLL_MS until it answers 403. See docs/benchmarks.md.
//
//   node tools/bench/revocation-propagation/run.mjs [--iterations 200] [--poll-ms 2]
import { MongoClient } from 'mongodb';
import { percentiles, sleep, startBuiltApp, uniqueDatabase } from '../built-apps.mjs';

const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((pair) => pair.trim().split(/\s+/)));
const iterations = Number(args.iterations ?? 200);
const pollMs = Number(args['poll-ms'] ?? 2);
const keycloak = process.env.KEYCLOAK_URL ?? 'http://127.0.0.1:8180';
const realm = process.env.KEYCLOAK_REALM ?? 'rs-server';
const mongo = (database) => `mongodb://127.0.0.1:${process.env.MONGO_PORT ?? '27017'}/${database}`;
const PROBES = {
  auxip: '/auxip/search?limit=1',
  cadip: '/cadip/INS/cadu/search?limit=1',
  catalog: '/catalog/collections/alice:s1-l1',
};

async function aliceToken() {
  const response = await fetch(`${keycloak}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'rs-cli', username: 'alice', password: 'alice-password' }),
  });
  if (!response.ok) throw new Error(`Keycloak token: ${response.status}`);
  return (await response.json()).access_token;
}

async function keyManagerCall(url, token) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${url.split('?')[0]}: ${response.status} ${await response.text()}`);
  return response.json();
}

const databases = [uniqueDatabase('benchkeys'), uniqueDatabase('benchcatalog')];
const apps = [];
try {
  const keyManager = await startBuiltApp('key-manager', {
    MONGO_URL: mongo(databases[0]),
    // Every revocation produces a few failed checks from this host: keep the brute-force limiter out of the way.
    CHECK_FAILURE_LIMIT: '1000000',
    API_KEY_HASH_SECRET: process.env.API_KEY_HASH_SECRET ?? 'bench-only-hash-secret-0123456789abcdef',
    KEYCLOAK_SYNC_CLIENT_SECRET: process.env.KEYCLOAK_SYNC_CLIENT_SECRET ?? 'rs-key-manager-dev-secret',
  });
  apps.push(keyManager);
  const services = {};
  for (const [name] of Object.entries(PROBES)) {
    services[name] = await startBuiltApp(name, { KEY_MANAGER_URL: keyManager.url, ...(name === 'catalog' ? { MONGO_URL: mongo(databases[1]) } : {}) });
    apps.push(services[name]);
  }
  await Promise.all(Object.values(services).map((app) => app.waitForLog('Listening to rs.apikey.lifecycle.v1')));
  await sleep(3000); // let the catalog seed its samples

  let token = await aliceToken();
  let tokenAt = Date.now();
  const fromRevokeSent = Object.fromEntries(Object.keys(PROBES).map((name) => [name, []]));
  const fromRevokeAnswered = Object.fromEntries(Object.keys(PROBES).map((name) => [name, []]));
  const allServices = [];
  const revokeCall = [];
  for (let iteration = 0; iteration < iterations; iteration++) {
    if (Date.now() - tokenAt > 120_000) [token, tokenAt] = [await aliceToken(), Date.now()];
    const key = await keyManagerCall(`${keyManager.url}/auth/api_key/new?name=bench-${iteration}-${Date.now()}`, token);
    for (const [name, path] of Object.entries(PROBES)) {
      const status = (await fetch(`${services[name].url}${path}`, { headers: { 'x-api-key': key } })).status;
      if (status !== 200) throw new Error(`${name} answered ${status} to a fresh key`);
    }
    const sent = performance.now();
    const revoked = keyManagerCall(`${keyManager.url}/auth/api_key/revoke?api-key=${encodeURIComponent(key)}`, token).then(() => performance.now());
    const delays = await Promise.all(
      Object.entries(PROBES).map(async ([name, path]) => {
        for (;;) {
          const status = (await fetch(`${services[name].url}${path}`, { headers: { 'x-api-key': key } })).status;
          if (status === 403) return [name, performance.now()];
          if (status !== 200) throw new Error(`${name} answered ${status} while polling`);
          if (performance.now() - sent > 10_000) throw new Error(`${name} still accepts the key 10 s after its revocation`);
          await sleep(pollMs);
        }
      }),
    );
    const answered = await revoked;
    revokeCall.push(answered - sent);
    for (const [name, at] of delays) {
      fromRevokeSent[name].push(at - sent);
      fromRevokeAnswered[name].push(Math.max(0, at - answered));
    }
    allServices.push(Math.max(...delays.map(([, at]) => at - sent)));
    if ((iteration + 1) % 25 === 0) console.error(`${iteration + 1}/${iterations} revocations`);
  }
  const round = (stats) => Object.fromEntries(Object.entries(stats).map(([name, value]) => [name, typeof value === 'number' && name !== 'n' ? Math.round(value * 10) / 10 : value]));
  console.log(
    JSON.stringify(
      {
        iterations,
        poll_ms: pollMs,
        revoke_call_ms: round(percentiles(revokeCall)),
        every_service_refuses_ms_after_revoke_sent: round(percentiles(allServices)),
        per_service_ms_after_revoke_sent: Object.fromEntries(Object.entries(fromRevokeSent).map(([name, values]) => [name, round(percentiles(values))])),
        per_service_ms_after_revoke_answered: Object.fromEntries(Object.entries(fromRevokeAnswered).map(([name, values]) => [name, round(percentiles(values))])),
      },
      null,
      2,
    ),
  );
} finally {
  await Promise.all(apps.map((app) => app.stop()));
  const client = await MongoClient.connect(mongo('admin'));
  for (const database of databases) await client.db(database).dropDatabase().catch(() => undefined);
  await client.close();
}
