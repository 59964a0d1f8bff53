#!/usr/bin/env node
// Guard throughput: requests/s of a Cadip endpoint with a valid cached API key ÷ the same endpoint with the
// guard replaced by a pass-through, measured in one run, in alternating rounds. See docs/benchmarks.md.
//
//   node tools/bench/guard-throughput/run.mjs [--rounds 5] [--seconds 10] [--connections 32] [--path <path>,<path>]
//
// Kafka from tools/stack (127.0.0.1:9092) should be up so usage events are really published.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const ROOT = path.resolve(HERE, '..', '..', '..');
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .join(' ')
    .split('--')
    .filter(Boolean)
    .map((pair) => pair.trim().split(/\s+/)),
);
const rounds = Number(args.rounds ?? 5);
const seconds = Number(args.seconds ?? 10);
const connections = Number(args.connections ?? 32);
// A cheap handler (one CADU item: the guard's share is largest) and a typical search.
const paths = (args.path ?? '/cadip/INS/cadu/DCS_01_S2A_20240101T015000051001_ch1_DSDB_00001.raw,/cadip/INS/session?platform=S1A&limit=10').split(',');

const server = spawn(process.execPath, ['-r', '@swc-node/register', path.join(HERE, 'server.ts')], {
  cwd: ROOT,
  env: { ...process.env, SWC_NODE_PROJECT: path.join(HERE, 'tsconfig.json'), KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  stdio: ['pipe', 'pipe', 'inherit'],
});
const ready = await new Promise((resolve, reject) => {
  const lines = readline.createInterface({ input: server.stdout });
  lines.on('line', (line) => {
    if (line.startsWith('{"guarded"')) resolve(JSON.parse(line));
  });
  server.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
});

/** CPU time (ms, user + system) the bench server has used so far, from /proc: all threads, or the main one. */
function serverCpuMs(mainThread = false) {
  const stat = mainThread ? `/proc/${server.pid}/task/${server.pid}/stat` : `/proc/${server.pid}/stat`;
  const fields = fs.readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function load(url, extraHeaders, durationSeconds) {
  const cpuBefore = serverCpuMs();
  const mainCpuBefore = serverCpuMs(true);
  const result = spawnSync(process.execPath, [path.join(HERE, 'load.mjs'), url, String(connections), String(durationSeconds), ...extraHeaders], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  const run = JSON.parse(result.stdout.trim().split('\n').at(-1));
  // CPU per request hardly depends on what else runs on the machine, unlike requests/s.
  run.server_cpu_us_per_request = Math.round(((serverCpuMs() - cpuBefore) * 1000) / run.requests);
  // The main thread serves every request: the part of the CPU that requests/s is bound by.
  run.server_main_thread_cpu_us_per_request = Math.round(((serverCpuMs(true) - mainCpuBefore) * 1000) / run.requests);
  return run;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const report = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version }, rounds, seconds, connections, endpoints: [] };
try {
  for (const endpoint of paths) {
    const guardedUrl = `${ready.guarded}${endpoint}`;
    const unguardedUrl = `${ready.unguarded}${endpoint}`;
    const key = [`x-api-key:${ready.apiKey}`];
    // Warm-up: JIT, connection pools, and the one key check that fills the cache.
    load(unguardedUrl, [], 3);
    load(guardedUrl, key, 3);
    const guarded = [];
    const unguarded = [];
    for (let round = 0; round < rounds; round++) {
      const first = round % 2 === 0;
      if (first) unguarded.push(load(unguardedUrl, [], seconds));
      guarded.push(load(guardedUrl, key, seconds));
      if (!first) unguarded.push(load(unguardedUrl, [], seconds));
      console.error(
        `round ${round + 1}/${rounds} ${endpoint}: unguarded ${unguarded.at(-1).rps} req/s (${unguarded.at(-1).server_cpu_us_per_request} µs CPU/req), ` +
          `guarded ${guarded.at(-1).rps} req/s (${guarded.at(-1).server_cpu_us_per_request} µs CPU/req)`,
      );
    }
    const bad = [...guarded, ...unguarded].filter((run) => run.errors || Object.keys(run.statuses).some((status) => status !== '200'));
    if (bad.length) throw new Error(`non-200 answers: ${JSON.stringify(bad.map((run) => run.statuses))}`);
    const guardedRps = median(guarded.map((run) => run.rps));
    const unguardedRps = median(unguarded.map((run) => run.rps));
    // Each round measures both back to back, so a machine-wide slowdown hits both sides of its ratio.
    const roundRatios = guarded.map((run, index) => Math.round((run.rps / unguarded[index].rps) * 1000) / 1000);
    const guardedCpu = median(guarded.map((run) => run.server_cpu_us_per_request));
    const unguardedCpu = median(unguarded.map((run) => run.server_cpu_us_per_request));
    report.endpoints.push({
      endpoint,
      unguarded_rps: unguardedRps,
      guarded_rps: guardedRps,
      ratio_of_medians: Math.round((guardedRps / unguardedRps) * 1000) / 1000,
      median_round_ratio: median(roundRatios),
      round_ratios: roundRatios,
      unguarded_cpu_us_per_request: unguardedCpu,
      guarded_cpu_us_per_request: guardedCpu,
      // The requests/s ratio a CPU-bound server reaches: the estimate that survives a busy machine.
      cpu_ratio: Math.round((unguardedCpu / guardedCpu) * 1000) / 1000,
      unguarded_main_thread_cpu_us_per_request: median(unguarded.map((run) => run.server_main_thread_cpu_us_per_request)),
      guarded_main_thread_cpu_us_per_request: median(guarded.map((run) => run.server_main_thread_cpu_us_per_request)),
      unguarded_latency_ms: unguarded.map((run) => run.latency_ms),
      guarded_latency_ms: guarded.map((run) => run.latency_ms),
      rounds_rps: { unguarded: unguarded.map((run) => run.rps), guarded: guarded.map((run) => run.rps) },
    });
  }
  console.log(JSON.stringify(report, null, 2));
} finally {
  server.stdin.end();
}
