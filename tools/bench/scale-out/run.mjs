#!/usr/bin/env node
// Scale-out on one machine: a 3-node Kafka KRaft cluster (replication factor 3, min.insync.replicas 2), two
// replicas of the key manager and of each guarded service behind nginx, two key workers. Under a steady, bounded
// load a Kafka node and one replica of each app are killed, then started again. What must hold: a revoked key is
// refused by every replica within 1 s at p99; usage totals equal the requests served; the failure throttle is
// shared by the key-manager replicas; no 5xx except requests in flight to a killed replica. See
// docs/benchmarks.md.
//
//   npx nx run-many -t build -p key-manager auxip cadip catalog key-worker && node tools/stack/stack.mjs up
//   node tools/bench/scale-out/run.mjs [--seconds 120] [--rate 20] [--revoke-every-ms 1000] [--poll-ms 20]
//                                      [--app-signal SIGKILL] [--broker-signal SIGKILL]
//
// The stack's Mongo-wire DB (databases of the run's own), Redis and Keycloak are shared; Kafka is the run's own
// cluster (tools/stack/lib/kafka-cluster.mjs), the stack's broker is not used.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { keyCheckCredentials, APPS } from '../../apps.mjs';
import { startKafkaCluster } from '../../stack/index.mjs';
import {
  benchArgs,
  freePort,
  LOG_DIR,
  percentiles,
  ROOT,
  sleep,
  startBuiltApp,
  superUserSasl,
  uniqueDatabase,
} from '../built-apps.mjs';
import { mongoUrl, userToken } from '../stack-clients.mjs';
import { startLoadBalancer } from './nginx.mjs';

const args = benchArgs();
const seconds = Number(args.seconds ?? 120);
const rate = Number(args.rate ?? 20);
const revokeEveryMs = Number(args['revoke-every-ms'] ?? 1000);
const pollMs = Number(args['poll-ms'] ?? 20);
const appSignal = args['app-signal'] ?? 'SIGKILL';
const brokerSignal = args['broker-signal'] ?? 'SIGKILL';
// off: the guards get no REDIS_URL, so lifecycle events reach them through Kafka only.
const lifecycleRedis = (args['lifecycle-redis'] ?? 'on') !== 'off';

/** The route each guarded service is loaded and probed on (alice holds the roles). */
const SERVICES = {
  auxip: '/auxip/search?limit=1',
  cadip: '/cadip/INS/cadu/search?limit=1',
  catalog: '/catalog/collections/alice:s1-l1',
};
const APP_NAMES = ['key-manager', ...Object.keys(SERVICES), 'key-worker'];
const REPLICAS = 2;
const LOAD_KEYS = 3;
const USAGE_FLUSH_INTERVAL_MS = 1000;
const CHECK_FAILURE_LIMIT = 30;
const LIFECYCLE_TOPIC = 'rs.apikey.lifecycle.v1';
const USAGE_TOPIC = 'rs.apikey.usage.v1';
/**
 * Failure detection of the cluster: a node that stops heartbeating is fenced after 3 s (Kafka's default: 9 s), so
 * the partitions it led get a new leader sooner.
 */
const KAFKA_FAILOVER = ['broker.heartbeat.interval.ms=500', 'broker.session.timeout.ms=3000'];

const t0 = performance.now();
const now = () => performance.now() - t0;
const say = (message) => console.error(`[scale-out ${(now() / 1000).toFixed(1).padStart(6)} s] ${message}`);

// ------------------------------------------------------------------ HTTP
const agents = new Map();
/**
 * An agent per local address (a client's address is what the failure throttle counts). The load opens a connection
 * per request: nginx closes idle kept-alive connections when it reloads, which would reset requests sent on them.
 */
function agentFor(localAddress = '127.0.0.1', keepAlive = true) {
  const name = `${localAddress}/${keepAlive}`;
  if (!agents.has(name)) agents.set(name, new http.Agent({ keepAlive, maxSockets: 64, localAddress }));
  return agents.get(name);
}

/**
 * GET `url`; resolves with { status, upstream, body } or { error } (never rejects). A kept-alive connection the
 * server closed as the request went out (nginx closes idle ones when it reloads) is retried once on a new one, as
 * Node's documentation advises: the server never read that request.
 */
function get(url, options = {}, retried = false) {
  const { headers = {}, localAddress, keepAlive = true, timeoutMs = 120_000, body = false } = options;
  return new Promise((resolve) => {
    const request = http.get(
      url,
      { agent: agentFor(localAddress, keepAlive), headers, timeout: timeoutMs },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => body && chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode,
            upstream: response.headers['x-upstream'],
            contentType: response.headers['content-type'],
            body: body ? Buffer.concat(chunks).toString() : undefined,
          }),
        );
        response.on('error', (error) => resolve({ error: error.code ?? error.message }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => {
      if (request.reusedSocket && error.code === 'ECONNRESET' && !retried) resolve(get(url, options, true));
      else resolve({ error: error.code ?? error.message });
    });
  });
}

async function getJson(url, headers) {
  const answer = await get(url, { headers, body: true });
  if (answer.status !== 200) throw new Error(`${url.split('?')[0]}: ${answer.status ?? answer.error} ${answer.body}`);
  return JSON.parse(answer.body);
}

/** Well-formed API keys nobody holds (the key domain's generator, run through swc like usage-exactness does). */
function unknownKeys(count) {
  const result = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', path.join(ROOT, 'tools/bench/usage-exactness/new-api-key.ts'), String(count)],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, SWC_NODE_PROJECT: path.join(ROOT, 'tools/bench/guard-throughput/tsconfig.json') },
    },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim().split('\n');
}

// ------------------------------------------------------------------ topology
const runId = uniqueDatabase('scale');
const databases = { keys: `${runId}keys`, catalog: `${runId}catalog` };
const workDir = path.join(LOG_DIR, `scale-out-${runId}`);
let cluster;
let balancer;
let watcher;
const replicas = [];

function appEnv(name) {
  const app = APPS.find((each) => each.name === name);
  const common = { KAFKA_BROKERS: cluster.bootstrap, KAFKA_REPLICATION_FACTOR: '3' };
  switch (name) {
    case 'key-manager':
      return {
        ...common,
        MONGO_URL: mongoUrl(databases.keys),
        // nginx connects from 127.0.0.1 and names the client in X-Forwarded-For.
        TRUST_PROXY: '127.0.0.1',
        CHECK_FAILURE_LIMIT: String(CHECK_FAILURE_LIMIT),
      };
    case 'key-worker':
      return {
        ...common,
        MONGO_URL: mongoUrl(databases.keys),
        BULLMQ_PREFIX: `rs-bull-${runId}`,
        KEYCLOAK_SYNC_EVERY_MS: '0',
        KEYCLOAK_EVENTS_EVERY_MS: '0',
      };
    default:
      return {
        ...common,
        ...keyCheckCredentials(app),
        KEY_MANAGER_URL: balancer.urls['key-manager'],
        ...(lifecycleRedis ? { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } : {}),
        TRUST_PROXY: '127.0.0.1',
        USAGE_FLUSH_INTERVAL_MS: String(USAGE_FLUSH_INTERVAL_MS),
        ...(name === 'catalog' ? { MONGO_URL: mongoUrl(databases.catalog) } : {}),
      };
  }
}

/** Starts a replica on its ports; resolves once it is healthy and consumes what it must. */
async function startReplica(replica) {
  replica.app = await startBuiltApp(replica.name, {
    ...appEnv(replica.name),
    PORT: String(replica.port),
    MANAGEMENT_PORT: String(replica.managementPort),
  });
  await replica.app.waitForLog(replica.name === 'key-worker' ? 'Joined' : `Listening to ${LIFECYCLE_TOPIC}`, 90_000);
  replica.up = true;
}

/** Kills a replica; the balancer then drops it, as an ingress drops the endpoint of a pod that is gone. */
async function killReplica(replica, signal) {
  replica.up = false;
  replica.killedAt = now();
  replica.app.kill(signal);
  await replica.app.exited;
  if (replica.name !== 'key-worker') await balancer.exclude(replica.port);
}

/** Starts a killed replica again; the balancer sends it requests once it is ready, as an ingress would. */
async function restartReplica(replica) {
  await startReplica(replica);
  if (replica.name !== 'key-worker') await balancer.include(replica.port);
}

// ------------------------------------------------------------------ load
/**
 * Open-loop load: `rate` requests/s to each guarded service through its balancer, keys taken in turn. Every
 * answer is counted per key (what the usage totals must equal) and per replica (to know what a killed replica
 * answered just before it died).
 */
function startLoad(keys) {
  const served = new Map(keys.map(({ keyId }) => [keyId, 0]));
  const answeredBy = new Map();
  const statuses = {};
  const failures = [];
  const errors = [];
  const inFlight = new Set();
  let sent = 0;
  let nginxAnswers = 0;
  let stopped = false;
  const started = now();
  const fire = (service) => {
    const key = keys[sent++ % keys.length];
    const sentAt = now();
    const url = `${balancer.urls[service]}${SERVICES[service]}`;
    const pending = get(url, { headers: { 'x-api-key': key.value }, keepAlive: false }).then((answer) => {
      const doneAt = now();
      if (answer.error) return errors.push({ service, error: answer.error, sentAt, doneAt });
      if (/text\/html/.test(answer.contentType ?? '')) nginxAnswers++;
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      const last = answer.upstream?.split(',').at(-1).trim();
      if (answer.status >= 500)
        failures.push({ service, status: answer.status, upstream: answer.upstream, sentAt, doneAt });
      else {
        served.set(key.keyId, served.get(key.keyId) + 1);
        if (!answeredBy.has(last)) answeredBy.set(last, []);
        answeredBy.get(last).push(doneAt);
      }
    });
    inFlight.add(pending);
    pending.finally(() => inFlight.delete(pending));
  };
  const due = Object.fromEntries(Object.keys(SERVICES).map((service) => [service, 0]));
  const timer = setInterval(() => {
    if (stopped) return;
    const expected = Math.floor(((now() - started) / 1000) * rate);
    for (const service of Object.keys(SERVICES)) while (due[service] < expected) (due[service]++, fire(service));
  }, 5);
  return {
    /** Stops sending and waits for every request in flight. */
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (inFlight.size) await Promise.all([...inFlight]);
      return { sent, served, answeredBy, statuses, failures, errors, nginxAnswers, seconds: (now() - started) / 1000 };
    },
  };
}

/** Every guarded replica has checked each load key once (a deployment's replicas warm up the same way). */
async function warmUp(keys) {
  const served = new Map(keys.map(({ keyId }) => [keyId, 0]));
  await Promise.all(
    replicas
      .filter((replica) => replica.name in SERVICES)
      .flatMap((replica) =>
        keys.map(async ({ value, keyId }) => {
          for (let attempt = 1; ; attempt++) {
            const url = `http://127.0.0.1:${replica.port}${SERVICES[replica.name]}`;
            const answer = await get(url, { headers: { 'x-api-key': value } });
            if (answer.status === 200) return served.set(keyId, served.get(keyId) + 1);
            if (attempt === 10) throw new Error(`${replica.id} answers ${answer.status ?? answer.error} to a load key`);
            await sleep(1000);
          }
        }),
      ),
  );
  return served;
}

// ------------------------------------------------------------------ revocations
/** Notes when each key's `revoked` event is consumed (a consumer of the bench's own, like the guards'). */
async function watchRevocations() {
  const kafka = new Kafka({
    clientId: 'bench-scale-out',
    brokers: cluster.bootstrap.split(','),
    sasl: superUserSasl(),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `bench-scale-out-${runId}`, maxWaitTimeInMs: 1000 });
  const seen = new Map();
  let joined;
  const join = new Promise((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.connect();
  await consumer.subscribe({ topic: LIFECYCLE_TOPIC, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value.toString());
      if (event.action === 'revoked' && !seen.has(event.key_id)) seen.set(event.key_id, now());
    },
  });
  await join;
  return { seen, stop: () => consumer.disconnect() };
}

/** The replicas that must refuse a revoked key: every guarded service replica, and the key managers' check. */
function refusers() {
  return replicas
    .filter((replica) => replica.name !== 'key-worker' && replica.up)
    .map((replica) => ({
      replica,
      url:
        replica.name === 'key-manager'
          ? `http://127.0.0.1:${replica.port}/auth/check_key`
          : `http://127.0.0.1:${replica.port}${SERVICES[replica.name]}`,
    }));
}

/**
 * Every `revokeEveryMs`: a new key is used once on every live replica (each caches it), revoked through the
 * balancer, and each replica is polled every `pollMs` until it answers 403. Probes come from a loopback address
 * of the iteration's own, so the failures they cause stay under the throttle's limit.
 */
function startRevocations(keyManagerUrl) {
  const results = [];
  const problems = [];
  let stopped = false;
  let token;
  let tokenAt = -Infinity;
  const loop = (async () => {
    for (let iteration = 0; !stopped; iteration++) {
      const started = now();
      const localAddress = `127.0.1.${(iteration % 250) + 1}`;
      try {
        if (now() - tokenAt > 120_000) [token, tokenAt] = [await userToken(), now()];
        const auth = { authorization: `Bearer ${token}` };
        const key = await getJson(`${keyManagerUrl}/auth/api_key/new?name=scale-revoke-${iteration}-${runId}`, auth);
        const { key_id: keyId } = await getJson(`${keyManagerUrl}/auth/check_key`, { 'x-api-key': key });
        const warmed = await Promise.all(
          refusers().map(async (probe) => {
            const answer = await get(probe.url, { headers: { 'x-api-key': key }, localAddress, timeoutMs: 30_000 });
            if (answer.status === 200) return probe;
            if (probe.replica.up)
              problems.push(`${probe.replica.id} answered ${answer.status ?? answer.error} to a fresh key`);
            return null;
          }),
        );
        const probes = warmed.filter(Boolean);
        const sent = now();
        const lastAccepted = {};
        const revoked = getJson(`${keyManagerUrl}/auth/api_key/revoke?api-key=${encodeURIComponent(key)}`, auth).then(
          () => now() - sent,
          (error) => (problems.push(`revoke: ${error.message.split('\n')[0]}`), NaN),
        );
        const delays = await Promise.all(
          probes.map(async ({ replica, url }) => {
            for (;;) {
              const pollSent = now();
              const answer = await get(url, { headers: { 'x-api-key': key }, localAddress, timeoutMs: 30_000 });
              if (answer.status === 200)
                lastAccepted[replica.id] = {
                  sentMs: Math.round(pollSent - sent),
                  answeredMs: Math.round(now() - sent),
                };
              if (answer.status === 403) return [replica.id, now() - sent];
              if (!replica.up || answer.error) return [replica.id, null]; // killed meanwhile: not counted
              if (answer.status !== 200) problems.push(`${replica.id} answered ${answer.status} while polling`);
              if (now() - sent > 60_000) return [replica.id, Infinity];
              // Fine-grained where the 1 s target is, coarser after it, so slow phases do not add load.
              await sleep(now() - sent < 1000 ? pollMs : 100);
            }
          }),
        );
        const counted = delays.filter(([, delay]) => delay !== null);
        const slowest = counted.reduce((worst, entry) => (entry[1] > worst[1] ? entry : worst), counted[0] ?? []);
        if (counted.length)
          results.push({
            keyId,
            lastAcceptedBySlowest: lastAccepted[slowest[0]],
            delays: Object.fromEntries(counted.map(([id, delay]) => [id, Math.round(delay)])),
            sentAt: sent,
            revokeMs: await revoked,
            every: Math.max(...counted.map(([, delay]) => delay)),
            replicas: counted.length,
          });
      } catch (error) {
        problems.push(`iteration ${iteration}: ${error.message}`);
      }
      await sleep(Math.max(0, started + revokeEveryMs - now()));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { results, problems };
    },
  };
}

// ------------------------------------------------------------------ failure throttle
/**
 * Failed checks of well-formed unknown keys from one client address, through the key managers' balancer: the
 * throttle is shared when exactly CHECK_FAILURE_LIMIT are answered 403 before the first 429, while both
 * replicas answer.
 */
async function throttleProbe(localAddress, keys) {
  const byStatus = {};
  const replicasAnswering = new Set();
  let refusedBeforeThrottle = 0;
  let throttled = false;
  for (const key of keys) {
    const answer = await get(`${balancer.urls['key-manager']}/auth/check_key`, {
      headers: { 'x-api-key': key },
      localAddress,
    });
    byStatus[answer.status ?? answer.error] = (byStatus[answer.status ?? answer.error] ?? 0) + 1;
    if (answer.upstream) replicasAnswering.add(answer.upstream.split(',').at(-1).trim());
    if (answer.status === 429) throttled = true;
    else if (answer.status === 403 && !throttled) refusedBeforeThrottle++;
  }
  return {
    client: localAddress,
    attempts: keys.length,
    refused_before_429: refusedBeforeThrottle,
    limit: CHECK_FAILURE_LIMIT,
    statuses: byStatus,
    replicas_answering: replicasAnswering.size,
    shared: refusedBeforeThrottle === CHECK_FAILURE_LIMIT && replicasAnswering.size === REPLICAS,
  };
}

/**
 * What the guards published on the usage topic for `keyIds`: requests per key, each delta once (a delta is named by
 * its producer, window sequence and key), and how many deltas came more than once. Tells usage the guards never
 * published from usage the workers did not count.
 */
async function publishedUsage(keyIds) {
  const kafka = new Kafka({
    clientId: 'bench-scale-out-usage',
    brokers: cluster.bootstrap.split(','),
    sasl: superUserSasl(),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(USAGE_TOPIC);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter(({ high }) => Number(high) > 0).map(({ partition, high }) => [partition, Number(high)]),
  );
  const requests = new Map(keyIds.map((keyId) => [keyId, 0]));
  const seen = new Set();
  let duplicates = 0;
  const consumer = kafka.consumer({ groupId: `bench-scale-out-usage-${runId}` });
  await consumer.connect();
  await consumer.subscribe({ topic: USAGE_TOPIC, fromBeginning: true });
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  if (!remaining.size) done();
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const event = JSON.parse(message.value.toString());
      const identity = `${event.producer_id}/${event.sequence}/${event.key_id}`;
      if (seen.has(identity)) duplicates++;
      else if (requests.has(event.key_id)) {
        seen.add(identity);
        requests.set(
          event.key_id,
          requests.get(event.key_id) + event.routes.reduce((sum, route) => sum + route.count, 0),
        );
      } else seen.add(identity);
      if (Number(message.offset) + 1 >= remaining.get(partition)) remaining.delete(partition);
      if (!remaining.size) done();
    },
  });
  await Promise.race([finished, sleep(60_000)]);
  await consumer.disconnect();
  return { requests, duplicates };
}

/** The node leading partition 0 of `topic` (`unknown` while the cluster does not answer, within 60 s). */
async function leaderOf(topic, unknown) {
  const deadline = now() + 60_000;
  for (;;) {
    try {
      const leader = (await cluster.leaders(topic))[0];
      if (leader >= 0) return leader;
    } catch (error) {
      if (unknown === undefined && now() > deadline) throw error;
    }
    if (unknown !== undefined) return unknown;
    if (now() > deadline) throw new Error(`${topic} has no leader`);
    await sleep(500);
  }
}

// ------------------------------------------------------------------ run
const round = (value) => (typeof value === 'number' ? Math.round(value * 10) / 10 : value);
const stats = (values) =>
  Object.fromEntries(Object.entries(percentiles(values)).map(([name, value]) => [name, round(value)]));

/** Stops everything the run started and drops its data; once, whether the run ends or is interrupted. */
let cleaning;
function cleanUp() {
  cleaning ??= (async () => {
    say('stopping');
    // The watcher's consumer can wait on a Kafka node that is down: it gets a few seconds, then the rest goes on.
    await Promise.race([watcher?.stop().catch(() => undefined), sleep(5000)]);
    await Promise.all(replicas.filter((replica) => replica.app).map((replica) => replica.app.stop()));
    await balancer?.stop();
    await cluster?.stop();
    for (const agent of agents.values()) agent.destroy();
    const client = await MongoClient.connect(mongoUrl('admin'));
    for (const database of Object.values(databases))
      await client
        .db(database)
        .dropDatabase()
        .catch(() => undefined);
    await client.close();
    // The key workers' BullMQ queues of this run, in the shared Redis.
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const leftovers = await redis.keys(`rs-bull-${runId}:*`);
    if (leftovers.length) await redis.del(...leftovers);
    redis.disconnect();
  })();
  return cleaning;
}

// Interrupted (Ctrl-C, or a test's timeout): stop the apps, the Kafka cluster and nginx all the same.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void cleanUp().finally(() => process.exit(1)));

let exitCode = 0;
const timeline = {};
try {
  fs.mkdirSync(workDir, { recursive: true });
  say(`starting a 3-node Kafka cluster in ${workDir}/kafka`);
  cluster = await startKafkaCluster({ dir: path.join(workDir, 'kafka'), extra: KAFKA_FAILOVER });
  say(`Kafka cluster up: ${cluster.bootstrap}`);

  for (const name of APP_NAMES)
    for (let index = 1; index <= REPLICAS; index++) {
      // Kept across the replica's restarts, where nginx expects it.
      const [port, managementPort] = [await freePort(), await freePort()];
      replicas.push({ id: `${name}-${index}`, name, index, port, managementPort, up: false });
    }
  const balanced = Object.fromEntries(
    ['key-manager', ...Object.keys(SERVICES)].map((name) => [
      name,
      replicas.filter((replica) => replica.name === name).map((replica) => replica.port),
    ]),
  );
  balancer = await startLoadBalancer(path.join(workDir, 'nginx'), balanced);
  say(`nginx up: ${JSON.stringify(balancer.urls)}`);

  const group = (names) => replicas.filter((replica) => names.includes(replica.name));
  await Promise.all(group(['key-manager']).map(startReplica));
  for (const names of [
    ['auxip', 'cadip'],
    ['catalog', 'key-worker'],
  ])
    await Promise.all(group(names).map(startReplica));
  say('every replica is up');

  const token = await userToken();
  const keys = [];
  for (let index = 0; index < LOAD_KEYS; index++) {
    const value = await getJson(`${balancer.urls['key-manager']}/auth/api_key/new?name=scale-load-${index}-${runId}`, {
      authorization: `Bearer ${token}`,
    });
    const { key_id: keyId } = await getJson(`${balancer.urls['key-manager']}/auth/check_key`, { 'x-api-key': value });
    keys.push({ value, keyId });
  }

  const warmUpServed = await warmUp(keys);
  const probeKeys = unknownKeys(2 * (CHECK_FAILURE_LIMIT + 10));
  const loadAverageBefore = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const runStart = now();
  const at = (fraction) => sleep(Math.max(0, runStart + fraction * seconds * 1000 - now()));
  watcher = await watchRevocations();
  const load = startLoad(keys);
  const revocations = startRevocations(balancer.urls['key-manager']);
  say(`load: ${rate} requests/s to each of ${Object.keys(SERVICES).length} services, for ${seconds} s`);

  // The throttle probes run beside the kill schedule: on a loaded machine a probe can take long.
  await at(0.05);
  const throttleBeforeRun = throttleProbe('127.0.2.1', probeKeys.slice(0, CHECK_FAILURE_LIMIT + 10)).then((result) => {
    say(`failure throttle, every replica up: ${JSON.stringify(result)}`);
    return result;
  });

  await at(0.15);
  const lifecycleLeader = await leaderOf(LIFECYCLE_TOPIC);
  timeline.brokerKilledAt = now();
  await cluster.kill(lifecycleLeader, brokerSignal);
  say(`Kafka node ${lifecycleLeader} (leader of ${LIFECYCLE_TOPIC}) killed with ${brokerSignal}`);
  while ((await leaderOf(LIFECYCLE_TOPIC, lifecycleLeader)) === lifecycleLeader) await sleep(100);
  timeline.lifecycleLeaderMovedMs = now() - timeline.brokerKilledAt;
  say(`${LIFECYCLE_TOPIC} has a new leader after ${Math.round(timeline.lifecycleLeaderMovedMs)} ms`);

  await at(0.35);
  timeline.brokerRestartedAt = now();
  await cluster.start(lifecycleLeader);
  await cluster.waitInSync();
  timeline.brokerInSyncMs = now() - timeline.brokerRestartedAt;
  say(`Kafka node ${lifecycleLeader} back, every replica in sync after ${Math.round(timeline.brokerInSyncMs)} ms`);

  await at(0.5);
  const victims = replicas.filter((replica) => replica.index === REPLICAS);
  timeline.appsKilledAt = now();
  await Promise.all(victims.map((replica) => killReplica(replica, appSignal)));
  say(`killed with ${appSignal}: ${victims.map((replica) => replica.id).join(', ')}`);

  await at(0.62);
  timeline.appsRestartedAt = now();
  await Promise.all(victims.map(restartReplica));
  timeline.appsBackMs = now() - timeline.appsRestartedAt;
  say(`every killed replica back in ${Math.round(timeline.appsBackMs)} ms`);

  await at(0.75);
  const throttleAfterRun = throttleProbe('127.0.2.2', probeKeys.slice(CHECK_FAILURE_LIMIT + 10)).then((result) => {
    say(`failure throttle, after the restarts: ${JSON.stringify(result)}`);
    return result;
  });

  await at(1);
  const [throttleBefore, throttleAfter] = await Promise.all([throttleBeforeRun, throttleAfterRun]);
  const loaded = await load.stop();
  const revoked = await revocations.stop();
  const loadEnded = now();
  const loadAverageAfter = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  say(`load done: ${loaded.sent} requests sent; waiting for the usage totals`);

  // Usage: converged when every key's total equals what was served, or stopped moving for 15 s.
  const mongo = await MongoClient.connect(mongoUrl(databases.keys));
  const counted = async () => {
    const totals = await mongo
      .db()
      .collection('api_key_usage_totals')
      .find({ _id: { $in: keys.map(({ keyId }) => keyId) } })
      .toArray();
    return Object.fromEntries(
      keys.map(({ keyId }) => [keyId, totals.find((doc) => doc._id === keyId)?.total_queries ?? 0]),
    );
  };
  // The warm-up's requests are counted too.
  for (const [keyId, count] of warmUpServed) loaded.served.set(keyId, loaded.served.get(keyId) + count);
  const servedTotal = [...loaded.served.values()].reduce((sum, count) => sum + count, 0);
  const sum = (totals) => Object.values(totals).reduce((total, count) => total + count, 0);
  let seen = await counted();
  let lastChange = now();
  while (keys.some(({ keyId }) => seen[keyId] !== loaded.served.get(keyId)) && now() - lastChange < 15_000) {
    await sleep(250);
    const latest = await counted();
    if (sum(latest) !== sum(seen)) lastChange = now();
    seen = latest;
  }
  const convergedMs = now() - loadEnded;
  const published = await publishedUsage(keys.map(({ keyId }) => keyId));
  const publishedTotal = [...published.requests.values()].reduce((total, count) => total + count, 0);
  await mongo.close();

  // What the killed guards answered in their last flush windows: the only usage a SIGKILL may take with it.
  const killedGuards = victims.filter((replica) => replica.name in SERVICES);
  const answeredBeforeKill = (windows) =>
    killedGuards.reduce(
      (total, replica) =>
        total +
        (loaded.answeredBy.get(`127.0.0.1:${replica.port}`) ?? []).filter(
          (doneAt) => doneAt <= replica.killedAt && doneAt > replica.killedAt - windows * USAGE_FLUSH_INTERVAL_MS,
        ).length,
      0,
    );
  const countedTotal = sum(seen);
  const lost = Math.max(0, servedTotal - countedTotal);
  const countedTwice = Math.max(0, countedTotal - servedTotal);
  const killedWindowBound = answeredBeforeKill(2);

  // 5xx: excused only when sent to a killed replica before its death and answered after.
  const killedPorts = new Map(victims.map((replica) => [`127.0.0.1:${replica.port}`, replica.killedAt]));
  const inFlightToKilled = (failure) =>
    [...killedPorts].some(
      ([address, killedAt]) =>
        failure.upstream?.includes(address) && failure.sentAt <= killedAt && failure.doneAt >= killedAt,
    );
  const excused = loaded.failures.filter(inFlightToKilled);

  // nginx closes the connections it accepted but has not read a request from when it reloads; an ingress changes
  // endpoints without a reload, so such resets are the bench's, not the platform's.
  const reloadTimes = balancer.reloads.map((at) => at - t0);
  const nearReload = ({ doneAt }) => reloadTimes.some((at) => doneAt >= at - 100 && doneAt <= at + 2000);
  const replicaAt = (port) => replicas.find((replica) => replica.port === Number(port))?.id ?? port;
  const phaseOf = ({ sentAt }) =>
    sentAt >= timeline.brokerKilledAt && sentAt < timeline.brokerRestartedAt + timeline.brokerInSyncMs
      ? 'broker'
      : sentAt >= timeline.appsKilledAt && sentAt < timeline.appsRestartedAt + timeline.appsBackMs
        ? 'apps'
        : 'steady';
  const every = (phase) => revoked.results.filter((result) => !phase || phaseOf(result) === phase).map((r) => r.every);
  const revocationP99 = percentiles(every()).p99;
  const eventMs = revoked.results.map((result) =>
    watcher.seen.has(result.keyId) ? watcher.seen.get(result.keyId) - result.sentAt : null,
  );

  const report = {
    seconds,
    rate_per_service: rate,
    load_average: `${loadAverageBefore} → ${loadAverageAfter}`,
    topology: {
      kafka_nodes: cluster.nodes.length,
      replicas: REPLICAS,
      killed: [
        `kafka node ${lifecycleLeader} (${brokerSignal})`,
        ...victims.map((replica) => `${replica.id} (${appSignal})`),
      ],
    },
    kafka: {
      lifecycle_leader_moved_ms: round(timeline.lifecycleLeaderMovedMs),
      restarted_node_in_sync_ms: round(timeline.brokerInSyncMs),
    },
    replicas_back_ms: round(timeline.appsBackMs),
    load: {
      sent: loaded.sent,
      served: servedTotal,
      requests_per_s: round(servedTotal / loaded.seconds),
      statuses: loaded.statuses,
      client_errors: loaded.errors.length,
      client_errors_by_code: loaded.errors.reduce(
        (codes, { error }) => ({ ...codes, [error]: (codes[error] ?? 0) + 1 }),
        {},
      ),
      client_errors_within_2s_of_an_nginx_reload: loaded.errors.filter(nearReload).length,
      client_errors_at_s: loaded.errors.slice(0, 20).map(({ sentAt }) => round((sentAt - runStart) / 1000)),
      answers_from_nginx_itself: loaded.nginxAnswers,
      five_xx: loaded.failures.length,
      five_xx_in_flight_to_killed: excused.length,
      five_xx_other: loaded.failures
        .filter((failure) => !inFlightToKilled(failure))
        .slice(0, 10)
        .map((failure) => ({
          ...failure,
          upstream: failure.upstream?.replace(/127\.0\.0\.1:(\d+)/g, (address, port) => replicaAt(port)),
          sentAt: round((failure.sentAt - runStart) / 1000),
          doneAt: round((failure.doneAt - runStart) / 1000),
        })),
      five_xx_by_replica: loaded.failures.reduce((byReplica, { upstream }) => {
        const name = upstream?.replace(/127\.0\.0\.1:(\d+)/g, (address, port) => replicaAt(port)) ?? '?';
        return { ...byReplica, [name]: (byReplica[name] ?? 0) + 1 };
      }, {}),
    },
    revocation_every_replica_refuses_ms: {
      all: stats(every()),
      steady: stats(every('steady')),
      kafka_node_down_until_in_sync: stats(every('broker')),
      replicas_down_until_back: stats(every('apps')),
      replicas_polled: stats(revoked.results.map((result) => result.replicas)),
      revoke_call_ms: stats(revoked.results.map((result) => result.revokeMs)),
      revoked_event_consumed_ms: stats(eventMs.filter((value) => value !== null)),
      revoked_events_never_consumed: eventMs.filter((value) => value === null).length,
      slowest: [...revoked.results]
        .sort((a, b) => b.every - a.every)
        .slice(0, 5)
        .map((result) => ({
          at_s: round((result.sentAt - runStart) / 1000),
          phase: phaseOf(result),
          every_ms: round(result.every),
          event_ms: round(watcher.seen.has(result.keyId) ? watcher.seen.get(result.keyId) - result.sentAt : null),
          replicas_ms: result.delays,
          // A poll answered 200 long after it was sent was accepted when the replica read it, not when it answered.
          slowest_replica_last_200: result.lastAcceptedBySlowest,
          key_id: result.keyId,
        })),
      problems: revoked.problems.slice(0, 10),
    },
    usage: {
      served: servedTotal,
      published_by_guards: publishedTotal,
      deltas_published_twice: published.duplicates,
      counted_in_totals: countedTotal,
      lost,
      counted_twice: countedTwice,
      answered_by_killed_guards_in_their_last_2_windows: killedWindowBound,
      converged_ms_after_load: round(convergedMs),
    },
    failure_throttle: { before: throttleBefore, after_restarts: throttleAfter },
  };
  const usageHolds = countedTwice === 0 && (appSignal === 'SIGKILL' ? lost <= killedWindowBound : lost === 0);
  report.verdict = {
    revocation_p99_within_1s: revocationP99 <= 1000,
    usage_exact: lost === 0 && countedTwice === 0,
    usage_lost_only_with_killed_guards_windows: usageHolds,
    throttle_shared: throttleBefore.shared && throttleAfter.shared,
    no_5xx_but_in_flight_to_killed:
      loaded.failures.length === excused.length && loaded.errors.every((error) => nearReload(error)),
  };
  console.log(JSON.stringify(report, null, 2));
  if (
    !report.verdict.revocation_p99_within_1s ||
    !usageHolds ||
    !report.verdict.throttle_shared ||
    !report.verdict.no_5xx_but_in_flight_to_killed
  )
    exitCode = 1;
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await cleanUp();
}
process.exit(exitCode);
