#!/usr/bin/env node
// Usage ingest benchmark: sustained events/s the key worker aggregates, and end-to-end lag (event produced →
// visible in the aggregates) p50/p99, against the real Kafka and Mongo-wire DB of tools/stack, with the built
// worker (dist/apps/key-worker/main.js) as a child process. See docs/benchmarks.md, section "Usage ingest".
//
//   npx nx build key-worker && node tools/stack/stack.mjs up kafka mongo redis
//   node tools/bench/usage-ingest/run.mjs [--backlog 1000000] [--rate 50000] [--warmup 20] [--seconds 60] [--window 10] [--keys 20] [--routes 2]
//                                          [--partitions 6] [--env K=V,K=V] [--load java|kafkajs]
//   WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the worker; WORKER_LOG=<file> keeps its output.
//
// Load source (--load): `java` (default) sends the bench events with Kafka's Java client (LoadProducer.java, run
//   from the Kafka jars tools/stack provisions; a few µs of CPU per event), `kafkajs` from this process (25-40 µs
//   per event: on 2 cores it cannot reach 50 000/s next to the worker). Same events, same keys, keyed either way.
//   Probes always come from this process.
//
// Phase 1 (drain): `backlog` events are produced first, then the worker starts and drains them: ingest rate =
//   events / (first write → last event visible). Measures the worker alone (the producer is done by then).
// Phase 2 (paced): `rate` events/s for `warmup` + `seconds`, plus 20 probe events/s on 6 keys of their own; a
//   poller thread reads the probes' totals every 50 ms: lag = first poll answer showing a probe − the probe's
//   creation time (also reported from Kafka's acknowledgement of its send, which leaves out time spent in this
//   busy producer). Lag percentiles, CPU and worker metrics cover the `seconds` after the warm-up; the warm-up's
//   lag is reported apart, and the max lag of every `window` seconds shows when a tail happened.
// Both phases end with an exactness check: every collection counts each message of the topic exactly once
// (no loss, no double); messages the producer itself duplicated by retrying are reported apart.
// Each run uses its own database, topics and consumer group, and removes them at the end.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { Worker } from 'node:worker_threads';
import readline from 'node:readline';
import os from 'node:os';
import path from 'node:path';
import { benchArgs, ROOT } from '../built-apps.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(path.join(ROOT, 'package.json'));
const { Kafka, logLevel, CompressionTypes } = require('kafkajs');
const { MongoClient } = require('mongodb');
const { config: stackConfig } = await import(path.join(ROOT, 'tools', 'stack', 'index.mjs'));

const args = benchArgs();
const BACKLOG = Number(args.backlog ?? 1_000_000);
const RATE = Number(args.rate ?? 50_000);
const SECONDS = Number(args.seconds ?? 60);
// Paced seconds before the measured ones (same rate, probes too, counted in the exactness check, lag reported
// apart): a worker just started, on a database it has just created, is not what "sustained" measures.
const WARMUP = Number(args.warmup ?? 20);
const WINDOW = Number(args.window ?? 10);
const KEYS = Number(args.keys ?? 20);
const ROUTES = Number(args.routes ?? 2);
const PARTITIONS = Number(args.partitions ?? 6);
const LOAD = args.load ?? 'java';
const EXTRA_ENV = Object.fromEntries(
  (args.env ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const MONGO = process.env.MONGO_BASE_URL ?? 'mongodb://127.0.0.1:27017';
const PROBE_KEYS = 6;
const PROBES_PER_SECOND = 20;
const POLL_MS = 50;
const MESSAGES_PER_SEND = 2000;
// WORKER_MAIN: another build of the worker (e.g. of an older commit, for a before/after comparison).
const WORKER_MAIN = path.resolve(process.env.WORKER_MAIN ?? path.join(ROOT, 'dist', 'apps', 'key-worker', 'main.js'));
/** Poller thread: reads the probe keys' totals every pollMs, reports [answer time, key, latest_query_date] changes. */
const POLLER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const { MongoClient } = createRequire(workerData.modules + '/package.json')('mongodb');
(async () => {
  const client = await MongoClient.connect(workerData.url);
  const collection = client.db(workerData.database).collection('api_key_usage_totals');
  const last = new Map();
  const changes = [];
  const pollMs = [];
  let stopping = false;
  parentPort.on('message', () => (stopping = true));
  // One more poll after the stop message: the last probe may have landed during the pause before it.
  for (let final = false; !final; ) {
    final = stopping;
    const asked = Date.now();
    const rows = await collection.find({ _id: { $in: workerData.keys } }, { projection: { latest_query_date: 1 } }).toArray();
    const answered = Date.now();
    pollMs.push([asked, answered - asked]);
    for (const row of rows) {
      const latest = new Date(row.latest_query_date).getTime();
      if (last.get(row._id) !== latest) {
        last.set(row._id, latest);
        changes.push([answered, row._id, latest]);
      }
    }
    if (!final) await new Promise((resolve) => setTimeout(resolve, workerData.pollMs));
  }
  await client.close();
  parentPort.postMessage({ changes, pollMs });
})();
`;

const id = 'benchusage' + [...randomBytes(8)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('');
const run = { database: id, topic: `${id}.usage`, dlq: `${id}.usage.dlq`, group: `${id}.group`, prefix: `${id}-bull` };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (...parts) => console.error(`[usage-ingest ${new Date().toISOString().slice(11, 19)}]`, ...parts);

if (!fs.existsSync(WORKER_MAIN)) {
  console.error(`${WORKER_MAIN} is missing: run \`npx nx build key-worker\` first`);
  process.exit(2);
}

// ---- events -------------------------------------------------------------------------------------------------
const SERVICES = ['cadip', 'auxip', 'catalog'];
const routesOf = (key) =>
  Array.from({ length: ROUTES }, (_, index) => {
    const service = SERVICES[(key + index) % SERVICES.length];
    return { service, route: `/${service}/:station/route-${index}` };
  });
const KEY_ROUTES = Array.from({ length: KEYS }, (_, key) => routesOf(key));
let sequence = 0;

/** One usage event as the guard's publisher sends it (key id as message key). */
function eventMessage(keyId, service, route, occurredAt, status, latency) {
  sequence++;
  return {
    key: keyId,
    value:
      `{"event_id":"${id}-${sequence}","type":"key.usage","version":1,"occurred_at":"${occurredAt}","key_id":"${keyId}","user_id":"user-${keyId}",` +
      `"service":"${service}","method":"GET","route":"${route}","status":${status},"latency_ms":${latency}}`,
  };
}

function benchMessages(count, occurredAt) {
  const messages = new Array(count);
  for (let index = 0; index < count; index++) {
    const key = sequence % KEYS;
    const { service, route } = KEY_ROUTES[key][sequence % ROUTES];
    messages[index] = eventMessage(
      `bench-key-${key}`,
      service,
      route,
      occurredAt,
      sequence % 50 === 0 ? 503 : 200,
      sequence % 97,
    );
  }
  return messages;
}

// ---- measurement helpers ----------------------------------------------------------------------------------------
function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}
/**
 * CPU of a stack service's process and its descendants (PostgreSQL runs a process per connection, each in a
 * session of its own), with the children that exited meanwhile (counted by the parent that waited for them).
 */
function treeCpuMs(root) {
  const processes = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      processes.set(Number(entry), {
        parent: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
      });
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  for (const [pid, { ticks: own }] of processes) {
    for (let at = pid; at > 1; at = processes.get(at)?.parent ?? 0) {
      if (at === root) {
        ticks += own;
        break;
      }
    }
  }
  return (ticks * 1000) / 100;
}
function machineBusy() {
  const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = ticks[3] + ticks[4];
  return { total: ticks.reduce((a, b) => a + b, 0), idle };
}
/** Max lag (ms) of the probes sent in each `windowMs` window from `start` (null: none of them seen). */
function lagWindows(probes, start, windowMs) {
  const windows = [];
  for (const probe of probes) {
    const index = Math.floor((probe.sentAt - start) / windowMs);
    windows[index] ??= null;
    if (probe.seenAt) windows[index] = Math.max(windows[index] ?? 0, probe.seenAt - probe.sentAt);
  }
  return Array.from(windows, (lag) => lag ?? null);
}

const percentile = (values, p) => {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
function stackPids() {
  try {
    const state = JSON.parse(fs.readFileSync(path.join(ROOT, '.stack', 'state.json'), 'utf8'));
    return Object.fromEntries(
      Object.entries(state.services)
        .filter(([, s]) => s.pid)
        .map(([name, s]) => [name, s.pid]),
    );
  } catch {
    return {};
  }
}
function cpuSnapshot(workerPid) {
  const pids = {
    worker: workerPid,
    bench: process.pid,
    ...(loadProducer ? { load_producer: loadProducer.child.pid } : {}),
  };
  const processes = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
  for (const [name, pid] of Object.entries(stackPids())) processes[name] = treeCpuMs(pid);
  return { at: Date.now(), machine: machineBusy(), processes };
}
function cpuBetween(before, after) {
  const seconds = (after.at - before.at) / 1000;
  const busy = 1 - (after.machine.idle - before.machine.idle) / (after.machine.total - before.machine.total);
  return {
    machine_busy_percent: Math.round(busy * 100),
    cores_used: Object.fromEntries(
      Object.keys(after.processes).map((name) => [
        name,
        Math.round(((after.processes[name] - before.processes[name]) / 1000 / seconds) * 100) / 100,
      ]),
    ),
  };
}

// ---- services -----------------------------------------------------------------------------------------------------
const kafka = new Kafka({ clientId: 'usage-ingest-bench', brokers: BROKERS, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const producer = kafka.producer({ allowAutoTopicCreation: false });
const mongo = new MongoClient(`${MONGO}/${run.database}`);
const db = () => mongo.db(run.database);
let worker = null;
let loadProducer = null;

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Counters of the worker's /metrics (summed over label sets), to explain a phase's figures. */
async function workerMetrics() {
  const text = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
  const value = (name, labels = '') =>
    text
      .split('\n')
      .filter((line) => line.startsWith(name) && /[ {]/.test(line[name.length]) && line.includes(labels))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    batches: value('key_worker_usage_batch_duration_seconds_count'),
    batch_seconds: value('key_worker_usage_batch_duration_seconds_sum'),
    events: value('key_worker_usage_events_total', 'aggregated'),
    document_writes: value('key_worker_usage_bucket_writes_total'),
    // prom-client resets the event loop delay histogram at each scrape: these cover the time since the last one.
    loop_delay_p99_ms: Math.round(value('nodejs_eventloop_lag_p99_seconds') * 1000),
    loop_delay_max_ms: Math.round(value('nodejs_eventloop_lag_max_seconds') * 1000),
  };
}
function metricsBetween(before, after) {
  const batches = after.batches - before.batches;
  return {
    plan_writes: batches,
    mean_write_ms: batches ? Math.round(((after.batch_seconds - before.batch_seconds) / batches) * 1000) : null,
    events_per_write: batches ? Math.round((after.events - before.events) / batches) : null,
    documents_per_write: batches ? Math.round((after.document_writes - before.document_writes) / batches) : null,
    event_loop_delay_p99_ms: after.loop_delay_p99_ms,
    event_loop_delay_max_ms: after.loop_delay_max_ms,
  };
}

async function startWorker() {
  const port = await freePort();
  // e.g. WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the worker.
  const nodeArgs = (process.env.WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, WORKER_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NO_COLOR: '1',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      PORT: String(port),
      MONGO_URL: `${MONGO}/${run.database}`,
      KAFKA_BROKERS: BROKERS.join(','),
      KEYCLOAK_SYNC_CLIENT_SECRET: process.env.KEYCLOAK_SYNC_CLIENT_SECRET ?? 'rs-key-manager-dev-secret',
      USAGE_TOPIC: run.topic,
      USAGE_DEAD_LETTER_TOPIC: run.dlq,
      USAGE_CONSUMER_GROUP: run.group,
      USAGE_TOPIC_PARTITIONS: String(PARTITIONS),
      BULLMQ_PREFIX: run.prefix,
      KEY_EXPIRY_EVERY_MS: '0',
      EXPIRING_NOTICE_EVERY_MS: '0',
      KEYCLOAK_SYNC_EVERY_MS: '0',
      USAGE_RETENTION_EVERY_MS: '0',
      ...EXTRA_ENV,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // WORKER_LOG=<file> keeps the worker's whole output (e.g. with WORKER_NODE_ARGS=--trace-gc).
  const log = process.env.WORKER_LOG ? fs.createWriteStream(process.env.WORKER_LOG) : null;
  const keep = (chunk) => {
    output += chunk;
    log?.write(chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  for (let waited = 0; !output.includes('Joined '); waited += 100) {
    if (child.exitCode !== null || waited > 120_000)
      throw new Error(`worker did not join the group:\n${output.slice(-3000)}`);
    await sleep(100);
  }
  return { child, port, output: () => output };
}

/** Kafka's jars as tools/stack provisioned them (the newest kafka-* directory of its cache holding the client). */
function kafkaLibs() {
  const { cache } = stackConfig();
  const candidates = fs
    .readdirSync(cache)
    .filter(
      (name) =>
        name.startsWith('kafka-') &&
        fs.readdirSync(path.join(cache, name, 'libs')).some((jar) => jar.startsWith('kafka-clients-')),
    )
    .map((name) => path.join(cache, name, 'libs'))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (!candidates.length)
    throw new Error(`no Kafka jars under ${cache}: run \`node tools/stack/stack.mjs up kafka\` first`);
  return candidates[0];
}

/** LoadProducer.java in its own JVM; `command` sends one line and resolves with its JSON report. */
async function startLoadProducer() {
  const child = spawn(
    'java',
    [
      '-XX:+UseSerialGC',
      '-Xmx512m',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      `${kafkaLibs()}/*`,
      path.join(HERE, 'LoadProducer.java'),
      BROKERS.join(','),
      run.topic,
      id,
      String(KEYS),
      String(ROUTES),
      '0',
    ],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let errors = '';
  child.stderr.on('data', (chunk) => (errors = (errors + chunk).slice(-3000)));
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`load producer exited (${child.exitCode}):\n${errors}`);
    return value;
  };
  if ((await next()) !== 'ready') throw new Error(`load producer did not start:\n${errors}`);
  return {
    child,
    command: async (line) => {
      child.stdin.write(`${line}\n`);
      const report = JSON.parse(await next());
      if (report.failed) throw new Error(`load producer: ${report.failed} sends failed (${report.first_error})`);
      return report;
    },
    stop: () => {
      child.stdin.end('quit\n');
      return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}

async function totals(keyIds) {
  const rows = await db()
    .collection('api_key_usage_totals')
    .find(keyIds ? { _id: { $in: keyIds } } : {})
    .toArray();
  return rows;
}
async function sumOf(collection, field) {
  const rows = await db()
    .collection(collection)
    .find({}, { projection: { [field]: 1 } })
    .toArray();
  return rows.reduce((sum, row) => sum + (row[field] ?? 0), 0);
}
async function waitForTotal(expected, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = (await totals()).reduce((sum, row) => sum + row.total_queries, 0);
    if (seen >= expected) return { seen, at: Date.now() };
    await sleep(200);
  }
  return { seen, at: null };
}
/** Messages in the usage topic: what the worker must count (a producer retry can append a message twice). */
async function messagesInTopic() {
  const offsets = await admin.fetchTopicOffsets(run.topic);
  return offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
}
async function exactness(produced) {
  await sleep(2000); // anything that would double count has time to land
  const [total, hourly, daily, inTopic] = await Promise.all([
    sumOf('api_key_usage_totals', 'total_queries'),
    sumOf('api_key_usage_hourly', 'count'),
    sumOf('api_key_usage_daily', 'count'),
    messagesInTopic(),
  ]);
  return {
    produced,
    in_topic: inTopic,
    producer_duplicates: inTopic - produced,
    totals: total,
    hourly,
    daily,
    // Exactly once = each message of the log counted once in every collection.
    exact: total === inTopic && hourly === inTopic && daily === inTopic,
  };
}

// ---- phases -----------------------------------------------------------------------------------------------------
async function drainPhase() {
  log(`phase 1: producing a backlog of ${BACKLOG} events (${KEYS} keys × ${ROUTES} routes)`);
  const occurredAt = new Date().toISOString();
  const produceStart = Date.now();
  if (loadProducer) {
    await loadProducer.command(`backlog ${BACKLOG} ${occurredAt}`);
  } else {
    const inFlight = [];
    for (let sent = 0; sent < BACKLOG; sent += MESSAGES_PER_SEND) {
      const messages = benchMessages(Math.min(MESSAGES_PER_SEND, BACKLOG - sent), occurredAt);
      inFlight.push(producer.send({ topic: run.topic, acks: -1, compression: CompressionTypes.None, messages }));
      if (inFlight.length >= 16) await inFlight.shift();
    }
    await Promise.all(inFlight);
  }
  const produceSeconds = (Date.now() - produceStart) / 1000;
  log(`backlog produced in ${produceSeconds.toFixed(1)} s; starting the worker`);
  worker = await startWorker();
  const cpuBefore = cpuSnapshot(worker.child.pid);
  const metricsBefore = await workerMetrics();
  // The clock starts at the first aggregate written, so process start and group join are not counted.
  let firstWrite = null;
  while (!firstWrite) {
    if ((await totals()).length) firstWrite = Date.now();
    else await sleep(20);
  }
  const { seen, at } = await waitForTotal(await messagesInTopic(), 30 * 60_000);
  const cpu = cpuBetween(cpuBefore, cpuSnapshot(worker.child.pid));
  const seconds = ((at ?? Date.now()) - firstWrite) / 1000;
  const worker_metrics = metricsBetween(metricsBefore, await workerMetrics());
  const check = await exactness(BACKLOG);
  return {
    events: BACKLOG,
    producer_events_per_second: Math.round(BACKLOG / produceSeconds),
    drain_seconds: Math.round(seconds * 10) / 10,
    ingest_events_per_second: Math.round(seen / seconds),
    cpu,
    worker_metrics,
    ...check,
  };
}

async function pacedPhase(alreadyProduced) {
  log(`phase 2: ${RATE} events/s for ${WARMUP} s of warm-up + ${SECONDS} s plus ${PROBES_PER_SECOND} probes/s`);
  const probeKeys = Array.from({ length: PROBE_KEYS }, (_, index) => `probe-${id}-${index}`);
  const probes = []; // { key, sentAt, seenAt }
  let produced = 0;
  let stopAt = 0;
  // The poller runs in its own thread: in this thread the producer keeps the event loop busy, and a starved
  // poller would measure its own delays. It records when each probe key's latest_query_date changed.
  const poller = new Worker(POLLER_SOURCE, {
    eval: true,
    workerData: {
      url: `${MONGO}/${run.database}`,
      database: run.database,
      keys: probeKeys,
      pollMs: POLL_MS,
      modules: ROOT,
    },
  });
  const observations = new Promise((resolve, reject) => {
    poller.once('message', resolve);
    poller.once('error', reject);
  });
  let cpuBefore = cpuSnapshot(worker.child.pid);
  let metricsBefore = await workerMetrics();
  const start = Date.now();
  const measuredFrom = start + WARMUP * 1000;
  // CPU and worker metrics over the measured seconds only.
  const warmedUp = sleep(WARMUP * 1000).then(async () => {
    cpuBefore = cpuSnapshot(worker.child.pid);
    metricsBefore = await workerMetrics();
  });
  // The Java load source paces itself (10 ms ticks); this loop then sends only the probes.
  const bulk = loadProducer?.command(`paced ${RATE} ${WARMUP + SECONDS}`);
  const tickMs = 50;
  const inFlight = new Set();
  let sendError = null;
  let probeIndex = 0;
  for (let tick = 0; Date.now() - start < (WARMUP + SECONDS) * 1000; tick++) {
    // Behind schedule (slow broker): catch up at most one second's worth per tick.
    const due = loadProducer ? 0 : Math.min(RATE, Math.floor(((Date.now() - start) / 1000) * RATE) - produced);
    const now = Date.now();
    const messages = due > 0 ? benchMessages(due, new Date(now).toISOString()) : [];
    // Probes: their own keys (spread over partitions), occurred_at = produce time (ms precision).
    const tickProbes = [];
    while (probeIndex < Math.floor(((now - start) / 1000) * PROBES_PER_SECOND)) {
      const key = probeKeys[probeIndex % PROBE_KEYS];
      messages.push(eventMessage(key, 'probe', '/probe', new Date(now).toISOString(), 200, 1));
      const probe = { key, sentAt: now, ackedAt: null, seenAt: null };
      probes.push(probe);
      tickProbes.push(probe);
      probeIndex++;
    }
    produced += due > 0 ? due : 0;
    // Requests stay under the broker's 1 MB message-batch limit.
    for (let from = 0; from < messages.length; from += MESSAGES_PER_SEND) {
      const send = producer
        .send({
          topic: run.topic,
          acks: -1,
          compression: CompressionTypes.None,
          messages: messages.slice(from, from + MESSAGES_PER_SEND),
        })
        .then(
          () => {
            // Probes ride in the tick's last request.
            if (from + MESSAGES_PER_SEND >= messages.length) for (const probe of tickProbes) probe.ackedAt = Date.now();
          },
          (error) => {
            sendError ??= error;
          },
        )
        .finally(() => inFlight.delete(send));
      inFlight.add(send);
    }
    if (sendError) throw sendError;
    // A few requests in flight at most: when the producer cannot keep up it falls behind schedule (reported as
    // produced_events_per_second) instead of queueing seconds of events inside kafkajs.
    while (inFlight.size > 4) await Promise.race(inFlight);
    const next = start + (tick + 1) * tickMs;
    if (next > Date.now()) await sleep(next - Date.now());
  }
  await Promise.all(inFlight);
  await warmedUp;
  if (bulk) produced = (await bulk).acked;
  const producedSeconds = (Date.now() - start) / 1000;
  stopAt = Date.now();
  const expected = alreadyProduced + produced + probes.length;
  const { at } = await waitForTotal(await messagesInTopic(), 10 * 60_000);
  // Give the last probes time to show, then collect what the poller saw.
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const rows = await totals(probeKeys);
    const latest = new Map(rows.map((row) => [row._id, new Date(row.latest_query_date).getTime()]));
    if (probes.every((probe) => (latest.get(probe.key) ?? 0) >= probe.sentAt)) break;
    await sleep(200);
  }
  poller.postMessage('stop');
  const { changes, pollMs } = await observations;
  const pollDurations = pollMs.map(([, took]) => took);
  const slowestPoll = pollMs.reduce((slowest, poll) => (!slowest || poll[1] > slowest[1] ? poll : slowest), null);
  await poller.terminate();
  // A probe is seen at the first poll answer showing its key's latest_query_date at or past its time.
  for (const probe of probes)
    probe.seenAt = changes.find(([, key, latest]) => key === probe.key && latest >= probe.sentAt)?.[0] ?? null;
  const cpu = cpuBetween(cpuBefore, cpuSnapshot(worker.child.pid));
  const worker_metrics = metricsBetween(metricsBefore, await workerMetrics());
  const measured = probes.filter((probe) => probe.sentAt >= measuredFrom);
  const lags = measured.filter((probe) => probe.seenAt).map((probe) => probe.seenAt - probe.sentAt);
  const warmupLags = probes
    .filter((probe) => probe.sentAt < measuredFrom && probe.seenAt)
    .map((probe) => probe.seenAt - probe.sentAt);
  // From Kafka's acknowledgement: leaves out the time the event waited in this (busy) producer.
  const lagsFromAck = measured
    .filter((probe) => probe.seenAt && probe.ackedAt)
    .map((probe) => Math.max(0, probe.seenAt - probe.ackedAt));
  const check = await exactness(expected);
  return {
    target_events_per_second: RATE,
    produced_events_per_second: Math.round(produced / producedSeconds),
    seconds: Math.round(producedSeconds),
    events: produced,
    warmup_seconds: WARMUP,
    probes: measured.length,
    probes_seen: lags.length,
    lag_ms: {
      p50: percentile(lags, 50),
      p90: percentile(lags, 90),
      p99: percentile(lags, 99),
      max: lags.length ? Math.max(...lags) : null,
      poll_interval_ms: POLL_MS,
    },
    // The poller's own delays: a slow poll shows every probe it would have seen as late.
    poll_query_ms: {
      p50: percentile(pollDurations, 50),
      p99: percentile(pollDurations, 99),
      max: Math.max(...pollDurations),
      slowest_at_s: slowestPoll ? Math.round((slowestPoll[0] - start) / 100) / 10 : null,
      polls: pollMs.length,
    },
    lag_from_kafka_ack_ms: {
      p50: percentile(lagsFromAck, 50),
      p90: percentile(lagsFromAck, 90),
      p99: percentile(lagsFromAck, 99),
      max: lagsFromAck.length ? Math.max(...lagsFromAck) : null,
    },
    // Probes of the warm-up seconds (not in lag_ms).
    warmup_lag_ms: {
      probes: warmupLags.length,
      p50: percentile(warmupLags, 50),
      p99: percentile(warmupLags, 99),
      max: warmupLags.length ? Math.max(...warmupLags) : null,
    },
    // When the tail happened: max lag of the probes sent in each window (`--window` seconds), warm-up included.
    lag_max_ms_by_window: {
      window_seconds: WINDOW,
      from_start: lagWindows(probes, start, WINDOW * 1000),
      start: new Date(start).toISOString(),
    },
    caught_up_after_producer_stopped_ms: at ? at - stopAt : null,
    cpu,
    worker_metrics,
    ...check,
  };
}

async function cleanUp() {
  if (worker && worker.child.exitCode === null) {
    worker.child.kill('SIGTERM');
    await Promise.race([new Promise((resolve) => worker.child.once('exit', resolve)), sleep(15_000)]);
    if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  }
  await producer.disconnect().catch(() => undefined);
  await loadProducer?.stop().catch(() => undefined);
  await db()
    .dropDatabase()
    .catch(() => undefined);
  await mongo.close().catch(() => undefined);
  await admin.deleteGroups([run.group]).catch(() => undefined);
  await admin.deleteTopics({ topics: [run.topic, run.dlq] }).catch(() => undefined);
  await admin.disconnect().catch(() => undefined);
  const redis = new (require('ioredis'))(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: 1,
  });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${run.prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // best effort
  } finally {
    redis.disconnect();
  }
}

// Never leave the worker behind, whatever happens to this process.
process.on('exit', () => {
  if (worker?.child.exitCode === null) worker.child.kill('SIGKILL');
  if (loadProducer?.child.exitCode === null) loadProducer.child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

const report = {
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    load_average_at_start: os.loadavg().map((v) => Math.round(v * 10) / 10),
  },
  settings: {
    backlog: BACKLOG,
    rate: RATE,
    warmup_seconds: WARMUP,
    seconds: SECONDS,
    keys: KEYS,
    routes_per_key: ROUTES,
    partitions: PARTITIONS,
    load: LOAD,
    worker_env: EXTRA_ENV,
    worker_node_args: process.env.WORKER_NODE_ARGS ?? '',
    worker_main: path.relative(ROOT, WORKER_MAIN),
  },
};
try {
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: run.topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
  });
  await producer.connect();
  await mongo.connect();
  if (LOAD === 'java') loadProducer = await startLoadProducer();
  else if (LOAD !== 'kafkajs') throw new Error(`--load ${LOAD}: java or kafkajs`);
  report.drain = BACKLOG > 0 ? await drainPhase() : null;
  if (!worker) worker = await startWorker();
  report.paced = RATE > 0 && SECONDS > 0 ? await pacedPhase(BACKLOG) : null;
  report.machine.load_average_at_end = os.loadavg().map((v) => Math.round(v * 10) / 10);
  console.log(JSON.stringify(report, null, 2));
} catch (error) {
  console.error(error);
  if (worker) console.error(worker.output().slice(-3000));
  process.exitCode = 1;
} finally {
  await cleanUp();
}
