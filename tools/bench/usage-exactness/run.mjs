#!/usr/bin/env node
// Usage exactness under load: every request a guarded service answers is counted exactly once in MongoDB,
// through a guard restart and a key worker killed with SIGKILL, under a closed-loop load. See
// docs/benchmarks.md.
//
//   npx nx run-many -t build -p cadip key-worker && node tools/stack/stack.mjs up
//   node tools/bench/usage-exactness/run.mjs [--seconds 60] [--connections 16]
//
// The load runs in two halves against a built Cadip app (API key checked by the stand-in key manager): the
// first guard instance is stopped (SIGTERM) between them and a second one takes over; in the middle of the
// second half the key worker is killed (SIGKILL) and started again. The worker has a database and consumer
// group of its own; the key id is unique to the run.
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { benchArgs, ROOT, sleep, startBuiltApp, uniqueDatabase } from '../built-apps.mjs';
import { startStandInKeyManager } from '../guard-throughput/bench-server.mjs';

const require = createRequire(path.join(ROOT, 'package.json'));
const { MongoClient } = require('mongodb');

const args = benchArgs();
const seconds = Number(args.seconds ?? 60);
const connections = Number(args.connections ?? 16);
const PROBE = '/cadip/INS/session?platform=S1A&limit=1';

/** A well-formed API key (the guard checks its format and checksum before asking the key manager). */
function apiKey() {
  const result = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', path.join(ROOT, 'tools/bench/usage-exactness/new-api-key.ts')],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, SWC_NODE_PROJECT: path.join(ROOT, 'tools/bench/guard-throughput/tsconfig.json') },
    },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}

/**
 * Closed-loop load: `connections` keep-alive connections each send the next request once the previous answer
 * is read, for `seconds`; then the requests in flight are awaited, so every request sent is answered and
 * counted here (wrk would abandon them at the end, and the guard would count those as 499).
 */
async function load(url, headers, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const statuses = {};
  let answered = 0;
  let failed = 0;
  const once = () =>
    new Promise((resolve) => {
      const request = http.get(url, { agent, headers }, (response) => {
        response.resume();
        response.on('end', () => {
          answered++;
          statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
          resolve();
        });
      });
      request.on('error', () => {
        failed++;
        resolve();
      });
    });
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) await once();
    }),
  );
  agent.destroy();
  return { requests: answered, failed, statuses };
}

async function metric(app, name) {
  const text = await (await fetch(`${app.managementUrl}/metrics`)).text();
  return Number(text.match(new RegExp(`^${name} (\\d+)`, 'm'))?.[1] ?? 0);
}

const runId = uniqueDatabase('exact');
const keyId = `bench-${runId}`;
const key = apiKey();
const mongoUrl = `mongodb://127.0.0.1:27017/${runId}`;
const workerEnv = { MONGO_URL: mongoUrl, USAGE_CONSUMER_GROUP: `key-worker.bench-${runId}` };
const keyManager = await startStandInKeyManager({ BENCH_KEY_ID: keyId });
const mongo = await MongoClient.connect(mongoUrl);
const apps = [];
const start = (name, env) => startBuiltApp(name, env).then((app) => (apps.push(app), app));

try {
  let worker = await start('key-worker', workerEnv);
  await worker.waitForLog('Joined');
  const half = seconds / 2;
  const loadGuard = (guard) => load(`${guard.url}${PROBE}`, { 'x-api-key': key }, half);

  const first = await start('cadip', { KEY_MANAGER_URL: keyManager.url });
  const firstHalf = await loadGuard(first);
  const firstDeltas = await metric(first, 'auth_guard_usage_deltas_published_total');
  await first.stop();

  const second = await start('cadip', { KEY_MANAGER_URL: keyManager.url });
  const secondHalfRun = loadGuard(second);
  await sleep((half / 2) * 1000);
  worker.kill('SIGKILL');
  await worker.exited;
  worker = await start('key-worker', workerEnv);
  const secondHalf = await secondHalfRun;
  const secondDeltas = await metric(second, 'auth_guard_usage_deltas_published_total');
  await second.stop();
  const loadEnded = Date.now();

  const served = firstHalf.requests + secondHalf.requests;
  const errors = firstHalf.failed + secondHalf.failed;
  const notOk = [firstHalf, secondHalf].reduce((sum, half) => sum + half.requests - (half.statuses[200] ?? 0), 0);
  const counted = async () => {
    const total = await mongo.db().collection('api_key_usage_totals').findOne({ _id: keyId });
    const hours = await mongo.db().collection('api_key_usage_hourly').find({ key_id: keyId }).toArray();
    return { totals: total?.total_queries ?? 0, hourly: hours.reduce((sum, doc) => sum + doc.count, 0) };
  };
  // Converged when the totals reach what was served, or stopped moving for 30 s.
  let seen = await counted();
  let lastChange = Date.now();
  while (seen.totals !== served && Date.now() - lastChange < 30_000) {
    await sleep(200);
    const now = await counted();
    if (now.totals !== seen.totals) lastChange = Date.now();
    seen = now;
  }
  console.log(
    JSON.stringify(
      {
        seconds,
        connections,
        requests_per_s: Math.round(served / seconds),
        requests_served: served,
        answers_not_200: notOk,
        requests_failed: errors,
        counted_in_totals: seen.totals,
        counted_in_hour_buckets: seen.hourly,
        lost: Math.max(0, served - seen.totals),
        counted_twice: Math.max(0, seen.totals - served),
        seconds_to_converge_after_load: Math.round((Date.now() - loadEnded) / 100) / 10,
        kafka_messages_per_s_per_guard: Math.round(((firstDeltas + secondDeltas) / seconds) * 10) / 10,
      },
      null,
      2,
    ),
  );
  if (seen.totals !== served || seen.hourly !== served) process.exitCode = 1;
} finally {
  for (const app of apps) await app.stop();
  await keyManager.stop();
  await mongo.db().dropDatabase();
  await mongo.close();
}
