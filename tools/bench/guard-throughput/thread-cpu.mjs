#!/usr/bin/env node
// Where the CPU of a guarded request goes beyond the server's main thread: CPU µs per request of each
// thread group of the bench server (main, the usage producer thread, V8's GC helpers, libuv), of the Kafka
// broker and of the whole machine (/proc/stat, the load generator included), guarded and unguarded app
// each in its own server process as run.mjs, loaded in alternating slices.
//
//   node tools/bench/guard-throughput/thread-cpu.mjs [--path <path>] [--seconds 5] [--rounds 3] [--connections 16] [--warmup 10]
//
// Why: on a 2-core machine the load generator, the server's threads and the broker share the cores, so work
// moved off the main thread still costs requests/s unless a core is idle. Node 20 names every thread `node`
// (V8's GC helpers, libuv's pool, worker threads alike), so besides the main thread the report lists the
// busiest other thread (in the guarded server the usage producer thread, as the unguarded one shows: it
// has none) and the sum of the rest.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { benchArgs } from '../built-apps.mjs';
import { startBenchServer } from './bench-server.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const args = benchArgs();
const urlPath = args.path ?? '/cadip/INS/cadu/DCS_01_S2A_20240101T015000051001_ch1_DSDB_00001.raw';
const seconds = Number(args.seconds ?? 5);
const rounds = Number(args.rounds ?? 3);
const connections = Number(args.connections ?? 16);
const warmup = Number(args.warmup ?? 10);
const TICK_US = 10_000; // USER_HZ = 100

const ticks = (stat) => {
  const fields = stat.split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

/** CPU ticks by thread id of a process. */
function threadTicks(pid) {
  const byThread = {};
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      byThread[tid] = ticks(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
    } catch {
      // the thread ended meanwhile
    }
  }
  return byThread;
}

/** The Kafka broker of tools/stack (a java process running kafka.Kafka), if any. */
function brokerPid() {
  for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('java') && cmdline.includes('kafka.Kafka')) return Number(pid);
    } catch {
      // gone
    }
  }
  return undefined;
}

const processTicks = (pid) => (pid ? ticks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) : 0);

/** Busy ticks of the whole machine (every CPU), from /proc/stat. */
function machineTicks() {
  const [, ...values] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = values;
  return user + nice + system + irq + softirq + steal;
}

const servers = { guarded: await startBenchServer('guarded'), unguarded: await startBenchServer('unguarded') };
const broker = brokerPid();
const apiKey = servers.guarded.ready.apiKey;
const totals = {
  guarded: { requests: 0, seconds: 0, threads: {}, broker: 0, machine: 0 },
  unguarded: { requests: 0, seconds: 0, threads: {}, broker: 0, machine: 0 },
};

function slice(side, duration) {
  const pid = servers[side].child.pid;
  const before = { threads: threadTicks(pid), broker: processTicks(broker), machine: machineTicks() };
  const headers = side === 'guarded' ? [`x-api-key:${apiKey}`] : [];
  const result = spawnSync(
    process.execPath,
    [
      path.join(HERE, 'load.mjs'),
      `${servers[side].ready[side]}${urlPath}`,
      String(connections),
      String(duration),
      ...headers,
    ],
    { encoding: 'utf8' },
  );
  const after = { threads: threadTicks(pid), broker: processTicks(broker), machine: machineTicks() };
  const { requests, rps } = JSON.parse(result.stdout.trim().split('\n').at(-1));
  const total = totals[side];
  total.requests += requests;
  total.seconds += requests / rps;
  for (const [name, value] of Object.entries(after.threads))
    total.threads[name] = (total.threads[name] ?? 0) + value - (before.threads[name] ?? 0);
  total.broker += after.broker - before.broker;
  total.machine += after.machine - before.machine;
}

// Warm-up, both sides: long enough for V8 to settle (run.mjs --warmup).
slice('guarded', warmup);
slice('unguarded', warmup);
for (const side of ['guarded', 'unguarded'])
  totals[side] = { requests: 0, seconds: 0, threads: {}, broker: 0, machine: 0 };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['unguarded', 'guarded'] : ['guarded', 'unguarded'];
  for (const side of order) slice(side, seconds);
}
for (const { child } of Object.values(servers)) child.stdin.end();

const perRequest = (tickCount, requests) => Math.round((tickCount * TICK_US) / requests);
const report = {};
for (const [side, total] of Object.entries(totals)) {
  const pid = String(servers[side].child.pid);
  const others = Object.entries(total.threads)
    .filter(([tid]) => tid !== pid)
    .map(([, value]) => value)
    .sort((a, b) => b - a);
  report[side] = {
    requests_per_second: Math.round(total.requests / total.seconds),
    main_thread_cpu_us_per_request: perRequest(total.threads[pid] ?? 0, total.requests),
    busiest_other_thread_cpu_us_per_request: perRequest(others[0] ?? 0, total.requests),
    rest_of_threads_cpu_us_per_request: perRequest(
      others.slice(1).reduce((sum, value) => sum + value, 0),
      total.requests,
    ),
    broker_cpu_us_per_request: broker ? perRequest(total.broker, total.requests) : null,
    machine_cpu_us_per_request: perRequest(total.machine, total.requests),
  };
}
console.log(JSON.stringify({ path: urlPath, seconds, rounds, connections, ...report }, null, 2));
