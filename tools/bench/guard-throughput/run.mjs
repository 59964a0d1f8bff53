#!/usr/bin/env node
// Guard throughput: requests/s of a Cadip route with a valid cached API key ÷ the same route with the guard
// replaced by a pass-through, both sides loaded in turn. See docs/benchmarks.md.
//
//   node tools/bench/guard-throughput/run.mjs [--pairs 6] [--rounds 4] [--seconds 2] [--connections 16]
//                                             [--warmup 5] [--path <path>,<path>]
//
// Each pair is a fresh guarded and a fresh unguarded server process (one process's JIT can land a few %
// off another's on the same code, so pairs are the unit); their load alternates ABBA, round by round, so
// both sides see the same machine. Kafka from tools/stack (127.0.0.1:9092) must be up: the guarded side
// publishes its usage there, and the run fails if it did not.
import os from 'node:os';
import { benchArgs } from '../built-apps.mjs';
import { cpuMs, median, startBenchServer, startStandInKeyManager } from './bench-server.mjs';
import { ensureWrk, wrk } from '../wrk.mjs';

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
const round3 = (value) => Math.round(value * 1000) / 1000;

ensureWrk();
const keyManager = await startStandInKeyManager();

/** Loads one server for `durationSeconds`; requests/s, and CPU per request of that server's process. */
async function load(server, endpoint, durationSeconds) {
  const cpuBefore = cpuMs(server.pid);
  const headers = server.mode === 'guarded' ? [`x-api-key: ${server.apiKey}`] : [];
  const run = await wrk(`${server.url}${endpoint}`, { connections, seconds: durationSeconds, headers });
  if (run.bad) throw new Error(`${server.mode} ${endpoint}: ${run.bad} answers were not 2xx`);
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

const measured = new Map(paths.map((endpoint) => [endpoint, { guarded: [], unguarded: [], pairRatios: [] }]));
let published = 0;
const loadBefore = os.loadavg()[0];
try {
  for (let pairIndex = 0; pairIndex < pairs; pairIndex++) {
    const [guarded, unguarded] = await Promise.all([
      startBenchServer('guarded', keyManager.url),
      startBenchServer('unguarded', keyManager.url),
    ]);
    try {
      for (const endpoint of paths) {
        await load(unguarded, endpoint, warmup);
        await load(guarded, endpoint, warmup);
        const sides = { guarded: [], unguarded: [] };
        for (let round = 0; round < rounds; round++) {
          const order = round % 2 === 0 ? [unguarded, guarded] : [guarded, unguarded];
          for (const server of order) sides[server.mode].push(await load(server, endpoint, seconds));
        }
        const all = measured.get(endpoint);
        all.guarded.push(...sides.guarded);
        all.unguarded.push(...sides.unguarded);
        const ratio = median(sides.guarded.map((run) => run.rps)) / median(sides.unguarded.map((run) => run.rps));
        all.pairRatios.push(round3(ratio));
        console.error(`pair ${pairIndex + 1}/${pairs} ${endpoint}: guarded/unguarded ${round3(ratio)}`);
      }
      // Flushed about once a second: give the last window time to leave.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      published += await publishedRequests(guarded);
    } finally {
      guarded.stop();
      unguarded.stop();
    }
  }
} finally {
  keyManager.stop();
}
if (!published) throw new Error('the guarded servers published no usage: is Kafka up (node tools/stack/stack.mjs up)?');

const endpoints = [...measured].map(([endpoint, { guarded, unguarded, pairRatios }]) => {
  const guardedRps = median(guarded.map((run) => run.rps));
  const unguardedRps = median(unguarded.map((run) => run.rps));
  return {
    endpoint,
    unguarded_rps: Math.round(unguardedRps),
    guarded_rps: Math.round(guardedRps),
    ratio: round3(guardedRps / unguardedRps),
    pair_ratios: pairRatios,
    unguarded_cpu_us_per_request: median(unguarded.map((run) => run.cpuUsPerRequest)),
    guarded_cpu_us_per_request: median(guarded.map((run) => run.cpuUsPerRequest)),
    // CPU per request suffers much less than requests/s from other work on the machine.
    cpu_ratio: round3(
      median(unguarded.map((run) => run.cpuUsPerRequest)) / median(guarded.map((run) => run.cpuUsPerRequest)),
    ),
    socket_errors: [...guarded, ...unguarded].reduce((sum, run) => sum + run.socketErrors, 0),
  };
});
console.log(
  JSON.stringify(
    {
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
      load_average_before: loadBefore,
      settings: { pairs, rounds, seconds, connections, warmup, load: 'wrk -t1' },
      usage_requests_published: published,
      endpoints,
    },
    null,
    2,
  ),
);
