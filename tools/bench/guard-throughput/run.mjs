#!/usr/bin/env node
// Guard throughput: requests/s of a Cadip endpoint with a valid cached API key ÷ the same endpoint with the
// guard replaced by a pass-through, measured in one run, in alternating rounds. See docs/benchmarks.md.
//
//   node tools/bench/guard-throughput/run.mjs [--rounds 5] [--seconds 10] [--connections 32] [--warmup 10] [--pairs 3] [--path <path>,<path>] [--same-process] [--same-request] [--seeds]
//
// --seeds: both processes of pair i run with V8's `--hash-seed` and `--random-seed` set to i + 1 (by default
// each process draws its own), for a look at how much of the spread between fresh processes they explain.
//
// --same-request: the unguarded app gets the very request the guarded one gets, `x-api-key` header included
// (it ignores it), so the two sides differ by the guard alone. By default (as up to session 6) the unguarded
// app is called without the header, so receiving and parsing it is counted as the guard's cost.
//
// --pairs: how many pairs of server processes (guarded + unguarded, fresh each time) the run measures in
// turn; the medians are over every round of every pair, and each pair's own ratio is reported apart
// (`pair_ratios`). One process's JIT can land a few % faster or slower than another's running the same
// code: an A/A pair (BENCH_VARIANT=a-a) read 0.87 on the session search once, 1.02 on the CADU item.
//
// --warmup: seconds of load on each side, per endpoint, before the measured rounds. 10 s by default (3 s up
// to session 5): `--trace-opt` still shows V8 compiling 5–10 s into a server's load (80 jobs in its first
// 5 s, 9 in the next, then 0–3), and until session 6 a burst of ~30 "wrong map" deopts of Node's http code
// 4–9 s in, in the guarded server, fell in the first measured rounds (its cause, the first cache misses, is
// now kept out by bench-server.mjs).
//
// Kafka from tools/stack (127.0.0.1:9092) should be up so usage events are really published.
//
// Why the guarded and the unguarded app run in separate processes (the default): a deployed service is
// either guarded or not, so its JIT only ever sees one request shape. Hosting both apps in one process (the
// bench up to session 4, kept as --same-process) makes the shared express, Nest and node:http code serve
// both shapes (e.g. `request.principal` set only on the guarded path), which can turn its inline caches
// polymorphic and slow that shared code, charging a bench artefact to the guard. That is a hypothesis, from
// perf profiles (session 4: guarded main-thread extra +64…+118 µs/request with both apps alternating in one
// server, +13…+63 with each app loaded alone). Measured with this script (docs/benchmarks.md, "apps in
// separate processes"): an A/A run (BENCH_VARIANT=a-a, both processes unguarded) reads 0.96–1.01, so
// separate processes do not bias the ratio; but the guarded/unguarded ratio and main-thread extra with
// separate processes (cadu 0.78–0.86, +65…+120 µs; session 0.81–0.90) are no better than with one
// process in the same window (cadu 0.92–0.93, +33…+45 µs; session 0.82–0.84), so the IC-pollution effect
// is not confirmed at this bench's resolution. Separate processes stay
// the default as the production layout, with one candidate artefact fewer.
//
// Both processes are started at once and live for the whole run; the load still alternates between them
// (ABBA), so both sides see the same machine conditions; CPU is read from the process serving each slice.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { benchArgs } from '../built-apps.mjs';
import { cpuBefore, cpuMs, median, startBenchServer, withServerCpu } from './bench-server.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const args = benchArgs();
const rounds = Number(args.rounds ?? 5);
const seconds = Number(args.seconds ?? 10);
const connections = Number(args.connections ?? 32);
const warmup = Number(args.warmup ?? 10);
const pairs = Number(args.pairs ?? 3);
const sameProcess = 'same-process' in args;
const sameRequest = 'same-request' in args;
const seeds = 'seeds' in args;
// A cheap handler (one CADU item: the guard's share is largest) and a typical search.
const paths = (
  args.path ??
  '/cadip/INS/cadu/DCS_01_S2A_20240101T015000051001_ch1_DSDB_00001.raw,/cadip/INS/session?platform=S1A&limit=10'
).split(',');

const loadAverage = () => Math.round(os.loadavg()[0] * 100) / 100;
const started = new Date();
const loadBefore = loadAverage();

/** One process hosting both apps, or one process per app, started at once (boot in parallel). */
async function startPair(index) {
  const nodeArgs = seeds ? [`--hash-seed=${index + 1}`, `--random-seed=${index + 1}`] : [];
  const servers = sameProcess
    ? [await startBenchServer('both', nodeArgs)]
    : await Promise.all([startBenchServer('guarded', nodeArgs), startBenchServer('unguarded', nodeArgs)]);
  return {
    servers,
    guarded: servers.find((server) => server.ready.guarded),
    unguarded: servers.find((server) => server.ready.unguarded),
  };
}

/** Loads one side of a pair for `durationSeconds`; requests/s from load.mjs, CPU per request from that side's process. */
function load(pair, side, endpoint, durationSeconds) {
  const { pid } = pair[side];
  const other = pair.servers.find((server) => server !== pair[side]);
  const cpu = cpuBefore(pid);
  const otherCpuBefore = other && cpuMs(other.pid);
  const headers = side === 'guarded' || sameRequest ? [`x-api-key:${pair.guarded.ready.apiKey}`] : [];
  const result = spawnSync(
    process.execPath,
    [
      path.join(HERE, 'load.mjs'),
      `${pair[side].ready[side]}${endpoint}`,
      String(connections),
      String(durationSeconds),
      ...headers,
    ],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  const run = withServerCpu(result.stdout, pid, cpu);
  // Separate processes: what the idle one (Kafka clients, timers) burnt meanwhile, ms per s of slice.
  if (other)
    run.idle_process_cpu_ms_per_s = Math.round(((cpuMs(other.pid) - otherCpuBefore) / durationSeconds) * 10) / 10;
  return run;
}

const report = {
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  },
  mode: sameProcess ? 'same-process' : 'separate-processes',
  variant: process.env['BENCH_VARIANT'] ?? 'full',
  unguarded_request_has_key: sameRequest,
  fixed_v8_seeds: seeds,
  pairs,
  processes: [],
  rounds,
  seconds,
  warmup,
  connections,
  endpoints: [],
};
/** Every round of every pair, by endpoint; and each pair's own ratio of medians. */
const measured = new Map(paths.map((endpoint) => [endpoint, { guarded: [], unguarded: [], pairRatios: [] }]));
for (let pairIndex = 0; pairIndex < pairs; pairIndex++) {
  const pair = await startPair(pairIndex);
  report.processes.push({ guarded: pair.guarded.pid, unguarded: pair.unguarded.pid });
  try {
    for (const endpoint of paths) {
      // Warm-up: JIT, connection pools (the key cache was filled by startBenchServer).
      load(pair, 'unguarded', endpoint, warmup);
      load(pair, 'guarded', endpoint, warmup);
      const guarded = [];
      const unguarded = [];
      for (let round = 0; round < rounds; round++) {
        // ABBA: unguarded first in even rounds, guarded first in odd ones.
        const first = round % 2 === 0;
        if (first) unguarded.push(load(pair, 'unguarded', endpoint, seconds));
        guarded.push(load(pair, 'guarded', endpoint, seconds));
        if (!first) unguarded.push(load(pair, 'unguarded', endpoint, seconds));
        console.error(
          `pair ${pairIndex + 1}/${pairs} round ${round + 1}/${rounds} ${endpoint}: unguarded ${unguarded.at(-1).rps} req/s (${unguarded.at(-1).server_cpu_us_per_request} µs CPU/req), ` +
            `guarded ${guarded.at(-1).rps} req/s (${guarded.at(-1).server_cpu_us_per_request} µs CPU/req)`,
        );
      }
      const bad = [...guarded, ...unguarded].filter(
        (run) => run.errors || Object.keys(run.statuses).some((status) => status !== '200'),
      );
      if (bad.length) throw new Error(`non-200 answers: ${JSON.stringify(bad.map((run) => run.statuses))}`);
      const all = measured.get(endpoint);
      all.guarded.push(...guarded);
      all.unguarded.push(...unguarded);
      all.pairRatios.push(
        Math.round((median(guarded.map((run) => run.rps)) / median(unguarded.map((run) => run.rps))) * 1000) / 1000,
      );
    }
  } finally {
    for (const server of pair.servers) server.child.stdin.end();
  }
}
try {
  for (const [endpoint, { guarded, unguarded, pairRatios }] of measured) {
    const guardedRps = median(guarded.map((run) => run.rps));
    const unguardedRps = median(unguarded.map((run) => run.rps));
    // Each round measures both back to back, so a machine-wide slowdown hits both sides of its ratio.
    const roundRatios = guarded.map((run, index) => Math.round((run.rps / unguarded[index].rps) * 1000) / 1000);
    const guardedCpu = median(guarded.map((run) => run.server_cpu_us_per_request));
    const unguardedCpu = median(unguarded.map((run) => run.server_cpu_us_per_request));
    const guardedMain = median(guarded.map((run) => run.server_main_thread_cpu_us_per_request));
    const unguardedMain = median(unguarded.map((run) => run.server_main_thread_cpu_us_per_request));
    report.endpoints.push({
      endpoint,
      unguarded_rps: unguardedRps,
      guarded_rps: guardedRps,
      ratio_of_medians: Math.round((guardedRps / unguardedRps) * 1000) / 1000,
      median_round_ratio: median(roundRatios),
      // Each pair's ratio of medians: how much one pair of processes alone could be off.
      pair_ratios: pairRatios,
      round_ratios: roundRatios,
      // Per side, i.e. per process unless --same-process (then both read the one server).
      unguarded_cpu_us_per_request: unguardedCpu,
      guarded_cpu_us_per_request: guardedCpu,
      // The requests/s ratio a CPU-bound server reaches: the estimate that survives a busy machine.
      cpu_ratio: Math.round((unguardedCpu / guardedCpu) * 1000) / 1000,
      unguarded_main_thread_cpu_us_per_request: unguardedMain,
      guarded_main_thread_cpu_us_per_request: guardedMain,
      main_thread_extra_us_per_request: guardedMain - unguardedMain,
      ...(!sameProcess && {
        // ms of CPU per s the idle process used while the other one was loaded (medians over the rounds).
        unguarded_process_idle_cpu_ms_per_s: median(guarded.map((run) => run.idle_process_cpu_ms_per_s)),
        guarded_process_idle_cpu_ms_per_s: median(unguarded.map((run) => run.idle_process_cpu_ms_per_s)),
      }),
      unguarded_latency_ms: unguarded.map((run) => run.latency_ms),
      guarded_latency_ms: guarded.map((run) => run.latency_ms),
      rounds_rps: { unguarded: unguarded.map((run) => run.rps), guarded: guarded.map((run) => run.rps) },
      rounds_main_thread_cpu_us_per_request: {
        unguarded: unguarded.map((run) => run.server_main_thread_cpu_us_per_request),
        guarded: guarded.map((run) => run.server_main_thread_cpu_us_per_request),
      },
    });
  }
  report.time = { started: started.toISOString(), finished: new Date().toISOString() };
  report.load_average_1m = { before: loadBefore, after: loadAverage() };
  console.log(JSON.stringify(report, null, 2));
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
