#!/usr/bin/env node
// Guard throughput: requests/s of a Cadip endpoint with a valid cached API key ÷ the same endpoint with the
// guard replaced by a pass-through, measured in one run, in alternating rounds. See docs/benchmarks.md.
//
//   node tools/bench/guard-throughput/run.mjs [--rounds 5] [--seconds 10] [--connections 32] [--warmup 10] [--pairs 3] [--path <path>,<path>] [--same-process] [--same-request] [--seeds] [--concurrent] [--pin]
//
// --concurrent: both sides of a pair are loaded at the same time (each by its own load.mjs, --connections
// each) instead of in alternating slices, so host noise (this shared VM's CPU time per request of one
// process moves ±13 % between 3 s slices of the same load) hits both at once; the servers share the CPU.
//
// --pin: each server process (all its threads) is pinned to a core of its own (`taskset`), the guarded one to
// core `pair % 2`, so with --concurrent each side pays its own threads' CPU (the usage producer thread and
// GC helpers of the guarded one) out of its own core instead of out of the shared pool; the load generators
// and Kafka still run on both cores.
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
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchArgs } from '../built-apps.mjs';
import { startBenchServer } from './bench-server.mjs';

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
const concurrent = 'concurrent' in args;
const pin = 'pin' in args;
// A cheap handler (one CADU item: the guard's share is largest) and a typical search.
const paths = (args.path ?? '/cadip/INS/cadu/DCS_01_S2A_20240101T015000051001_ch1_DSDB_00001.raw,/cadip/INS/session?platform=S1A&limit=10').split(',');

/** CPU time (ms, user + system) a bench server has used so far, from /proc: all threads, or the main one. */
function cpuMs(pid, mainThread = false) {
  const stat = mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
  const fields = fs.readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

const loadAverage = () => Math.round(os.loadavg()[0] * 100) / 100;
const started = new Date();
const loadBefore = loadAverage();

/** One process hosting both apps, or one process per app, started at once (boot in parallel). */
async function startPair(index) {
  const nodeArgs = seeds ? [`--hash-seed=${index + 1}`, `--random-seed=${index + 1}`] : [];
  const servers = sameProcess
    ? [await startBenchServer('both', nodeArgs)]
    : await Promise.all([startBenchServer('guarded', nodeArgs), startBenchServer('unguarded', nodeArgs)]);
  if (pin && !sameProcess) {
    // Each server (every thread) on a core of its own, the guarded one on core `index % 2`.
    servers.forEach((server, position) => {
      const result = spawnSync('taskset', ['-a', '-p', '-c', String((index + position) % os.cpus().length), String(server.pid)], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`taskset: ${result.stderr}`);
    });
  }
  return { servers, guarded: servers.find((server) => server.ready.guarded), unguarded: servers.find((server) => server.ready.unguarded) };
}

/** load.mjs's arguments for one side of a pair. */
function loadArgs(pair, side, endpoint, durationSeconds) {
  const headers = side === 'guarded' || sameRequest ? [`x-api-key:${pair.guarded.ready.apiKey}`] : [];
  return [path.join(HERE, 'load.mjs'), `${pair[side].ready[side]}${endpoint}`, String(connections), String(durationSeconds), ...headers];
}

/** load.mjs's result, with the CPU per request its server used since `cpu` (from cpuBefore). */
function withServerCpu(stdout, pid, cpu) {
  const run = JSON.parse(stdout.trim().split('\n').at(-1));
  // CPU per request hardly depends on what else runs on the machine, unlike requests/s.
  run.server_cpu_us_per_request = Math.round(((cpuMs(pid) - cpu.process) * 1000) / run.requests);
  // The main thread serves every request: the part of the CPU that requests/s is bound by.
  run.server_main_thread_cpu_us_per_request = Math.round(((cpuMs(pid, true) - cpu.main) * 1000) / run.requests);
  return run;
}

const cpuBefore = (pid) => ({ process: cpuMs(pid), main: cpuMs(pid, true) });

/** Loads one side of a pair for `durationSeconds`; requests/s from load.mjs, CPU per request from that side's process. */
function load(pair, side, endpoint, durationSeconds) {
  const { pid } = pair[side];
  const other = pair.servers.find((server) => server !== pair[side]);
  const cpu = cpuBefore(pid);
  const otherCpuBefore = other && cpuMs(other.pid);
  const result = spawnSync(process.execPath, loadArgs(pair, side, endpoint, durationSeconds), { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  const run = withServerCpu(result.stdout, pid, cpu);
  // Separate processes: what the idle one (Kafka clients, timers) burnt meanwhile, ms per s of slice.
  if (other) run.idle_process_cpu_ms_per_s = Math.round(((cpuMs(other.pid) - otherCpuBefore) / durationSeconds) * 10) / 10;
  return run;
}

/**
 * --concurrent: loads both sides of a pair at the same time, each with its own load.mjs and `connections`
 * connections, so both meet the same machine at the same moment; the two servers then share the CPU, and
 * the one that needs more of it per request serves fewer requests. Resolves with { guarded, unguarded }.
 */
async function loadBoth(pair, endpoint, durationSeconds) {
  const sides = ['guarded', 'unguarded'];
  const cpu = Object.fromEntries(sides.map((side) => [side, cpuBefore(pair[side].pid)]));
  const outputs = await Promise.all(
    sides.map(
      (side) =>
        new Promise((resolve, reject) => {
          const child = spawn(process.execPath, loadArgs(pair, side, endpoint, durationSeconds), { stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (chunk) => (stdout += chunk));
          child.stderr.on('data', (chunk) => (stderr += chunk));
          child.once('error', reject);
          child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(stderr))));
        }),
    ),
  );
  return Object.fromEntries(sides.map((side, index) => [side, withServerCpu(outputs[index], pair[side].pid, cpu[side])]));
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const report = {
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  mode: sameProcess ? 'same-process' : 'separate-processes',
  variant: process.env['BENCH_VARIANT'] ?? 'full',
  unguarded_request_has_key: sameRequest,
  fixed_v8_seeds: seeds,
  load: concurrent ? 'both sides at once' : 'alternating slices (ABBA)',
  pinned: pin,
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
      if (concurrent) {
        await loadBoth(pair, endpoint, warmup);
      } else {
        load(pair, 'unguarded', endpoint, warmup);
        load(pair, 'guarded', endpoint, warmup);
      }
      const guarded = [];
      const unguarded = [];
      for (let round = 0; round < rounds; round++) {
        if (concurrent) {
          const both = await loadBoth(pair, endpoint, seconds);
          guarded.push(both.guarded);
          unguarded.push(both.unguarded);
        } else {
          // ABBA: unguarded first in even rounds, guarded first in odd ones.
          const first = round % 2 === 0;
          if (first) unguarded.push(load(pair, 'unguarded', endpoint, seconds));
          guarded.push(load(pair, 'guarded', endpoint, seconds));
          if (!first) unguarded.push(load(pair, 'unguarded', endpoint, seconds));
        }
        console.error(
          `pair ${pairIndex + 1}/${pairs} round ${round + 1}/${rounds} ${endpoint}: unguarded ${unguarded.at(-1).rps} req/s (${unguarded.at(-1).server_cpu_us_per_request} µs CPU/req), ` +
            `guarded ${guarded.at(-1).rps} req/s (${guarded.at(-1).server_cpu_us_per_request} µs CPU/req)`,
        );
      }
      const bad = [...guarded, ...unguarded].filter((run) => run.errors || Object.keys(run.statuses).some((status) => status !== '200'));
      if (bad.length) throw new Error(`non-200 answers: ${JSON.stringify(bad.map((run) => run.statuses))}`);
      const all = measured.get(endpoint);
      all.guarded.push(...guarded);
      all.unguarded.push(...unguarded);
      all.pairRatios.push(Math.round((median(guarded.map((run) => run.rps)) / median(unguarded.map((run) => run.rps))) * 1000) / 1000);
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
      ...(!sameProcess && !concurrent && {
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
