#!/usr/bin/env node
// What the x-api-key header alone costs a server that does not check it: one unguarded bench server, loaded in
// alternating slices (ABBA) without and with the header; µs of main thread and of the whole process per
// request, and the load generator's own CPU per request (medians over the slices).
//
//   node tools/bench/guard-throughput/header-cost.mjs [--pairs 6] [--seconds 3] [--warmup 10] [--path <path>]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { benchArgs } from '../built-apps.mjs';
import { cpuBefore, median, startBenchServer, withServerCpu } from './bench-server.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const args = benchArgs();
const pairs = Number(args.pairs ?? 6);
const seconds = Number(args.seconds ?? 3);
const warmup = Number(args.warmup ?? 10);
const endpoint = args.path ?? '/cadip/INS/cadu/DCS_01_S2A_20240101T015000051001_ch1_DSDB_00001.raw';

const server = await startBenchServer('unguarded');
const url = `${server.ready.unguarded}${endpoint}`;

function load(withKey, durationSeconds) {
  const cpu = cpuBefore(server.pid);
  const headers = withKey ? [`x-api-key:${server.ready.apiKey}`] : [];
  const result = spawnSync(
    process.execPath,
    [path.join(HERE, 'load.mjs'), url, '16', String(durationSeconds), ...headers],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  const run = withServerCpu(result.stdout, server.pid, cpu);
  return {
    rps: run.rps,
    main_thread_cpu_us_per_request: run.server_main_thread_cpu_us_per_request,
    process_cpu_us_per_request: run.server_cpu_us_per_request,
    client_cpu_us_per_request: run.client_cpu_us_per_request,
  };
}

try {
  load(false, warmup);
  load(true, warmup);
  const slices = { without_key: [], with_key: [] };
  for (let pair = 0; pair < pairs; pair++) {
    for (const withKey of pair % 2 ? [true, false] : [false, true])
      slices[withKey ? 'with_key' : 'without_key'].push(load(withKey, seconds));
  }
  const summary = Object.fromEntries(
    Object.entries(slices).map(([side, runs]) => [
      side,
      Object.fromEntries(Object.keys(runs[0]).map((field) => [field, median(runs.map((run) => run[field]))])),
    ]),
  );
  console.log(JSON.stringify({ endpoint, pairs, seconds, ...summary, slices }, null, 2));
} finally {
  server.child.stdin.end();
}
