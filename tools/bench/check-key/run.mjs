#!/usr/bin/env node
// Key check throughput: requests/s of `GET /auth/check_key` with a valid key ÷ the same process's `/health`.
// Starts the built key manager against tools/stack (Mongo-wire DB, Redis, Kafka, Keycloak), creates a key for
// alice, then loads both endpoints with wrk, alternating ABBA round by round so both see the same machine. The
// ratio is the figure to compare (target in docs/benchmarks.md).
//
//   node tools/bench/check-key/run.mjs [--rounds 6] [--seconds 3] [--connections 16] [--warmup 3]
//
// The key manager takes its other settings from the environment: CHECK_CACHE_TTL_SECONDS=0 measures every
// check going to Redis and the database, for comparison.
import os from 'node:os';
import { MongoClient } from 'mongodb';
import { benchArgs, startBuiltApp, uniqueDatabase } from '../built-apps.mjs';
import { mongoUrl, userToken } from '../stack-clients.mjs';
import { ensureWrk, wrk } from '../wrk.mjs';

const args = benchArgs();
const rounds = Number(args.rounds ?? 6);
const seconds = Number(args.seconds ?? 3);
const connections = Number(args.connections ?? 16);
const warmup = Number(args.warmup ?? 3);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

ensureWrk();
const database = uniqueDatabase('benchcheckkey');
const keyManager = await startBuiltApp('key-manager', {
  MONGO_URL: mongoUrl(database),
  // The load comes from one address: keep the brute-force limiter out of the way of any stray failure.
  CHECK_FAILURE_LIMIT: '1000000',
});
try {
  await keyManager.waitForLog('Listening to rs.apikey.lifecycle.v1');
  const created = await fetch(`${keyManager.url}/auth/api_key/new?name=bench-check-key-${Date.now()}`, {
    headers: { authorization: `Bearer ${await userToken()}` },
  });
  if (!created.ok) throw new Error(`key creation: ${created.status} ${await created.text()}`);
  const key = await created.json();
  const probe = await fetch(`${keyManager.url}/auth/check_key`, { headers: { 'x-api-key': key } });
  if (!probe.ok) throw new Error(`check of a fresh key: ${probe.status} ${await probe.text()}`);

  const targets = {
    health: { url: `${keyManager.url}/health`, headers: [] },
    check: { url: `${keyManager.url}/auth/check_key`, headers: [`x-api-key: ${key}`] },
  };
  const load = async (name, durationSeconds) => {
    const run = await wrk(targets[name].url, { connections, seconds: durationSeconds, headers: targets[name].headers });
    if (run.bad) throw new Error(`${name}: ${run.bad} answers were not 2xx`);
    return run;
  };
  await load('health', warmup);
  await load('check', warmup);

  const results = { health: [], check: [] };
  const ratios = [];
  for (let index = 0; index < rounds; index++) {
    const order = index % 2 === 0 ? ['health', 'check', 'check', 'health'] : ['check', 'health', 'health', 'check'];
    const round_ = { health: [], check: [] };
    for (const name of order) round_[name].push((await load(name, seconds)).rps);
    const health = (round_.health[0] + round_.health[1]) / 2;
    const check = (round_.check[0] + round_.check[1]) / 2;
    results.health.push(health);
    results.check.push(check);
    ratios.push(check / health);
    console.log(
      `round ${index + 1}/${rounds}: /health ${round(health)} req/s, check_key ${round(check)} req/s, ` +
        `ratio ${round(check / health, 3)}`,
    );
  }
  const summary = {
    rounds,
    seconds,
    connections,
    health_rps: round(median(results.health)),
    check_key_rps: round(median(results.check)),
    ratio_median: round(median(ratios), 3),
    ratio_min: round(Math.min(...ratios), 3),
    load_average: os.loadavg().map((value) => round(value, 2)),
    cpus: os.cpus().length,
  };
  console.log(JSON.stringify(summary, null, 2));
} finally {
  await keyManager.stop();
  const mongo = await MongoClient.connect(mongoUrl(database));
  await mongo
    .db()
    .dropDatabase()
    .catch(() => undefined);
  await mongo.close();
}
