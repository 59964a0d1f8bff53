#!/usr/bin/env node
// Revocation propagation: how long after a revocation every guarded service refuses the key. Starts the
// built key manager and the three services against tools/stack (Kafka, Mongo-wire DB, Keycloak), then N
// times: create a key (alice), make each service cache it, revoke it, and poll each service every
// POLL_MS until it answers 403. A consumer of its own notes when each `revoked` event reaches Kafka's
// consumers, to split the delay into "event out" and "refusal". See docs/benchmarks.md.
//
// With `--lifecycle-redis off` the services get no REDIS_URL, so events reach them through Kafka only.
//
//   node tools/bench/revocation-propagation/run.mjs [--iterations 200] [--poll-ms 2] [--lifecycle-redis on|off]
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { benchArgs, percentiles, sleep, startBuiltApp, superUserSasl, uniqueDatabase } from '../built-apps.mjs';
import { mongoUrl, userToken } from '../stack-clients.mjs';

const args = benchArgs();
const iterations = Number(args.iterations ?? 200);
const pollMs = Number(args['poll-ms'] ?? 2);
const lifecycleRedis = (args['lifecycle-redis'] ?? 'on') !== 'off';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROBES = {
  auxip: '/auxip/search?limit=1',
  cadip: '/cadip/INS/cadu/search?limit=1',
  catalog: '/catalog/collections/alice:s1-l1',
};

async function keyManagerCall(url, token, headers = {}) {
  const response = await fetch(url, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  if (!response.ok) throw new Error(`${url.split('?')[0]}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Notes when the `revoked` event of each key id is consumed (same settings as the guards' consumer). */
async function watchRevocations() {
  const kafka = new Kafka({
    clientId: 'bench-revocation',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    sasl: superUserSasl(),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `bench-revocation-${Date.now()}`, maxWaitTimeInMs: 1000 });
  const seen = new Map();
  const waiters = new Map();
  let joined;
  const join = new Promise((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.connect();
  await consumer.subscribe({ topic: 'rs.apikey.lifecycle.v1', fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const at = performance.now();
      const event = JSON.parse(message.value.toString());
      if (event.action !== 'revoked' || seen.has(event.key_id)) return;
      seen.set(event.key_id, at);
      waiters.get(event.key_id)?.(at);
    },
  });
  await join;
  return {
    /** When the revoked event of this key was consumed (waits for it, at most timeoutMs; null if it never came). */
    revokedAt: (keyId, timeoutMs = 10_000) =>
      seen.has(keyId)
        ? Promise.resolve(seen.get(keyId))
        : new Promise((resolve) => {
            const timer = setTimeout(() => resolve(null), timeoutMs);
            waiters.set(keyId, (at) => {
              clearTimeout(timer);
              resolve(at);
            });
          }),
    stop: () => consumer.disconnect(),
  };
}

const databases = [uniqueDatabase('benchkeys'), uniqueDatabase('benchcatalog')];
const apps = [];
let watcher;
try {
  const keyManager = await startBuiltApp('key-manager', {
    MONGO_URL: mongoUrl(databases[0]),
    // Every revocation produces a few failed checks from this host: keep the brute-force limiter out of the way.
    CHECK_FAILURE_LIMIT: '1000000',
  });
  apps.push(keyManager);
  const services = {};
  for (const [name] of Object.entries(PROBES)) {
    services[name] = await startBuiltApp(name, {
      KEY_MANAGER_URL: keyManager.url,
      // The guards' second path for lifecycle events (Redis pub/sub, beside Kafka).
      ...(lifecycleRedis ? { REDIS_URL } : {}),
      ...(name === 'catalog' ? { MONGO_URL: mongoUrl(databases[1]) } : {}),
    });
    apps.push(services[name]);
  }
  await Promise.all(Object.values(services).map((app) => app.waitForLog('Listening to rs.apikey.lifecycle.v1')));
  if (lifecycleRedis)
    await Promise.all(Object.values(services).map((app) => app.waitForLog('Listening to Redis channel')));
  watcher = await watchRevocations();
  await sleep(3000); // let the catalog seed its samples

  let token = await userToken();
  let tokenAt = Date.now();
  const fromRevokeSent = Object.fromEntries(Object.keys(PROBES).map((name) => [name, []]));
  const fromRevokeAnswered = Object.fromEntries(Object.keys(PROBES).map((name) => [name, []]));
  const allServices = [];
  const revokeCall = [];
  const eventConsumed = [];
  for (let iteration = 0; iteration < iterations; iteration++) {
    if (Date.now() - tokenAt > 120_000) [token, tokenAt] = [await userToken(), Date.now()];
    const key = await keyManagerCall(`${keyManager.url}/auth/api_key/new?name=bench-${iteration}-${Date.now()}`, token);
    const keyId = (await keyManagerCall(`${keyManager.url}/auth/check_key`, undefined, { 'x-api-key': key })).key_id;
    for (const [name, path] of Object.entries(PROBES)) {
      const status = (await fetch(`${services[name].url}${path}`, { headers: { 'x-api-key': key } })).status;
      if (status !== 200) throw new Error(`${name} answered ${status} to a fresh key`);
    }
    const sent = performance.now();
    const revoked = keyManagerCall(
      `${keyManager.url}/auth/api_key/revoke?api-key=${encodeURIComponent(key)}`,
      token,
    ).then(() => performance.now());
    const delays = await Promise.all(
      Object.entries(PROBES).map(async ([name, path]) => {
        for (;;) {
          const status = (await fetch(`${services[name].url}${path}`, { headers: { 'x-api-key': key } })).status;
          if (status === 403) return [name, performance.now()];
          if (status !== 200) throw new Error(`${name} answered ${status} while polling`);
          if (performance.now() - sent > 10_000)
            throw new Error(`${name} still accepts the key 10 s after its revocation`);
          await sleep(pollMs);
        }
      }),
    );
    const answered = await revoked;
    revokeCall.push(answered - sent);
    const consumed = await watcher.revokedAt(keyId);
    if (consumed === null) throw new Error(`no revoked event for key ${keyId} within 10 s`);
    eventConsumed.push(consumed - sent);
    for (const [name, at] of delays) {
      fromRevokeSent[name].push(at - sent);
      fromRevokeAnswered[name].push(Math.max(0, at - answered));
    }
    allServices.push(Math.max(...delays.map(([, at]) => at - sent)));
    if ((iteration + 1) % 25 === 0) console.error(`${iteration + 1}/${iterations} revocations`);
  }
  const round = (stats) =>
    Object.fromEntries(
      Object.entries(stats).map(([name, value]) => [
        name,
        typeof value === 'number' && name !== 'n' ? Math.round(value * 10) / 10 : value,
      ]),
    );
  console.log(
    JSON.stringify(
      {
        iterations,
        poll_ms: pollMs,
        lifecycle_redis: lifecycleRedis,
        revoke_call_ms: round(percentiles(revokeCall)),
        revoked_event_consumed_ms_after_revoke_sent: round(percentiles(eventConsumed)),
        every_service_refuses_ms_after_revoke_sent: round(percentiles(allServices)),
        per_service_ms_after_revoke_sent: Object.fromEntries(
          Object.entries(fromRevokeSent).map(([name, values]) => [name, round(percentiles(values))]),
        ),
        per_service_ms_after_revoke_answered: Object.fromEntries(
          Object.entries(fromRevokeAnswered).map(([name, values]) => [name, round(percentiles(values))]),
        ),
      },
      null,
      2,
    ),
  );
} finally {
  await watcher?.stop().catch(() => undefined);
  await Promise.all(apps.map((app) => app.stop()));
  const client = await MongoClient.connect(mongoUrl('admin'));
  for (const database of databases)
    await client
      .db(database)
      .dropDatabase()
      .catch(() => undefined);
  await client.close();
}
