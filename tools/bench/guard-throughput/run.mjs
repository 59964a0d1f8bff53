#!/usr/bin/env node
// Guard throughput: requests/s of a Cadip route with a valid cached API key ÷ the same route with the guard
// replaced by a pass-through, the sides loaded in turn. Sides (`--sides`, the unguarded one first): `unguarded`,
// `guarded`, `limited` (a key with per-key limits, counted in Redis), and to take the ratio apart `usage-off` (guarded,
// recording no usage: its Kafka off) and `unguarded-again` (a second unguarded process: the run's own noise).
// See docs/benchmarks.md.
//
//   node tools/bench/guard-throughput/run.mjs [--pairs 6] [--rounds 4] [--seconds 2] [--connections 16]
//                                             [--warmup 5] [--path <path>,<path>] [--sides unguarded,guarded,limited]
//
// Each pair is a fresh server process per side (one process's JIT can land a few % off another's on the same code,
// so pairs are the unit); the order in which they are loaded rotates round by round, so all sides see the same
// machine. Kafka (and Redis for the limited side) from tools/stack must be up: the guarded and limited sides publish
// their usage there, and the run fails if they did not.
import os from 'node:os';
import { benchArgs } from '../built-apps.mjs';
import { cpuMs, median, REDIS_URL, startSide, startStandIns } from './bench-server.mjs';
import { ensureWrk, wrk } from '../wrk.mjs';
import Redis from 'ioredis';

const args = benchArgs();
const pairs = Number(args.pairs ?? 6);
const rounds = Number(args.rounds ?? 4);
const seconds = Number(args.seconds ?? 2);
const connections = Number(args.connections ?? 16);
const warmup = Number(args.warmup ?? 5);
// A cheap handler (one CADU item: the guard's share is largest) and a typical search.
const paths = (
  args.path ??
  '/cadip/INS/cadu/DCS_01_S2A_20240101T015000051001_ch1_DSDB_00001.raw,/cadip/INS/session?platform=S1A&limit=10'
).split(',');
const SIDES = (args.sides ?? 'unguarded,guarded,limited').split(',');
const KNOWN_SIDES = ['unguarded', 'guarded', 'limited', 'usage-off', 'unguarded-again'];
if (
  SIDES[0] !== 'unguarded' ||
  new Set(SIDES).size !== SIDES.length ||
  SIDES.some((side) => !KNOWN_SIDES.includes(side))
)
  throw new Error(`--sides: unguarded first, then each at most once of ${KNOWN_SIDES.slice(1).join(', ')}`);
if (args.limited !== undefined) throw new Error('--limited: name the sides instead, e.g. --sides unguarded,guarded');
const withLimits = SIDES.includes('limited');
const round3 = (value) => Math.round(value * 1000) / 1000;

ensureWrk();
const standIns = await startStandIns({ limited: withLimits });
/** The sides that publish usage to Kafka: the run fails if one of them published nothing. */
const PUBLISHING = SIDES.filter((side) => side === 'guarded' || side === 'limited');

/** Loads one server for `durationSeconds`; requests/s, and CPU per request of that server's process. */
async function load(server, endpoint, durationSeconds) {
  const cpuBefore = cpuMs(server.pid);
  const headers = server.mode === 'guarded' ? [`x-api-key: ${server.apiKey}`] : [];
  const run = await wrk(`${server.url}${endpoint}`, { connections, seconds: durationSeconds, headers });
  if (run.bad) throw new Error(`${server.side} ${endpoint}: ${run.bad} answers were not 2xx`);
  // Socket errors (wrk's 2 s timeout on a starved machine) are reported, not fatal.
  return {
    rps: run.rps,
    socketErrors: run.socketErrors,
    cpuUsPerRequest: Math.round(((cpuMs(server.pid) - cpuBefore) * 1000) / run.requests),
  };
}

async function publishedRequests(server) {
  const text = await (await fetch(`${server.managementUrl}/metrics`)).text();
  return Number(text.match(/^auth_guard_usage_requests_published_total (\d+)/m)?.[1] ?? 0);
}

const measured = new Map(
  paths.map((endpoint) => [endpoint, { runs: Object.fromEntries(SIDES.map((side) => [side, []])), pairRatios: [] }]),
);
const published = Object.fromEntries(PUBLISHING.map((side) => [side, 0]));
const loadBefore = os.loadavg()[0];
try {
  for (let pairIndex = 0; pairIndex < pairs; pairIndex++) {
    const servers = await Promise.all(SIDES.map((side) => startSide(side, standIns)));
    try {
      for (const endpoint of paths) {
        for (const server of servers) await load(server, endpoint, warmup);
        const runs = SIDES.map(() => []);
        for (let round = 0; round < rounds; round++) {
          // Rotated, and reversed every other round, so no side always follows the same one (a guarded side
          // still publishes its usage for a second after its load).
          const order = SIDES.map((_, turn) => (Math.floor(round / 2) + turn) % SIDES.length);
          for (const index of round % 2 ? order.reverse() : order)
            runs[index].push(await load(servers[index], endpoint, seconds));
        }
        const all = measured.get(endpoint);
        SIDES.forEach((side, index) => all.runs[side].push(...runs[index]));
        const medianRps = runs.map((sideRuns) => median(sideRuns.map((run) => run.rps)));
        const ratios = Object.fromEntries(
          SIDES.slice(1).map((side, index) => [side, round3(medianRps[index + 1] / medianRps[0])]),
        );
        all.pairRatios.push(ratios);
        console.error(`pair ${pairIndex + 1}/${pairs} ${endpoint}: ÷ unguarded ${JSON.stringify(ratios)}`);
      }
      // Flushed about once a second: give the last window time to leave.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      for (const server of servers.filter(({ side }) => PUBLISHING.includes(side)))
        published[server.side] += await publishedRequests(server);
    } finally {
      // Awaited: a limited server gives its unspent tokens back to Redis on the way out.
      await Promise.all(servers.map((server) => server.stop()));
    }
  }
} finally {
  await standIns.stop();
}
for (const [side, count] of Object.entries(published))
  if (!count) throw new Error(`the ${side} servers published no usage: is Kafka up (node tools/stack/stack.mjs up)?`);

const limitedCounted = withLimits ? await countedInRedis(standIns.limitedKeyId) : undefined;
if (withLimits && !limitedCounted)
  throw new Error(`the limited side counted nothing in Redis (${REDIS_URL}): is it up?`);

const endpoints = [...measured].map(([endpoint, { runs, pairRatios }]) => {
  const rps = (side) => median(runs[side].map((run) => run.rps));
  const cpu = (side) => median(runs[side].map((run) => run.cpuUsPerRequest));
  return {
    endpoint,
    ...Object.fromEntries(SIDES.map((side) => [`${side}_rps`, Math.round(rps(side))])),
    ...Object.fromEntries(SIDES.slice(1).map((side) => [`${side}_ratio`, round3(rps(side) / rps('unguarded'))])),
    pair_ratios: pairRatios,
    ...Object.fromEntries(SIDES.map((side) => [`${side}_cpu_us_per_request`, cpu(side)])),
    // CPU per request suffers much less than requests/s from other work on the machine.
    ...Object.fromEntries(SIDES.slice(1).map((side) => [`${side}_cpu_ratio`, round3(cpu('unguarded') / cpu(side))])),
    socket_errors: SIDES.flatMap((side) => runs[side]).reduce((sum, run) => sum + run.socketErrors, 0),
  };
});

/** What the limited key's day counters hold in Redis once every server gave its unspent tokens back. */
async function countedInRedis(keyId) {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.keys(`rs:quota:day:${keyId}:*`);
    const counts = await Promise.all(keys.map((key) => redis.get(key)));
    return counts.reduce((sum, count) => sum + Number(count), 0);
  } finally {
    redis.disconnect();
  }
}

console.log(
  JSON.stringify(
    {
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
      load_average_before: loadBefore,
      settings: { pairs, rounds, seconds, connections, warmup, load: 'wrk -t1' },
      usage_requests_published: published,
      ...(withLimits && { limited_key_requests_counted_in_redis: limitedCounted }),
      endpoints,
    },
    null,
    2,
  ),
);
