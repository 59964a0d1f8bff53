#!/usr/bin/env node
// Where one side's extra CPU goes: two bench servers (by default guarded and unguarded; `--sides limited,guarded`
// compares a key with limits to one without) under `node --cpu-prof`, loaded in turn (ABBA) as in run.mjs; only
// the samples taken while wrk loads a server count. Prints, per request of the main thread: each side's busy
// time, the guard's own code (inclusive: the digest, the cache, quotas, usage recording, metrics it calls), and
// the functions whose share of the time differs most between the sides.
//
//   node tools/bench/guard-throughput/profile.mjs [--path <path>] [--rounds 4] [--seconds 8] [--top 25]
//                                                 [--sides guarded,unguarded]
//
// Shares of the busy time, not absolute times, are what compare across runs: a shared machine's load changes
// what one request costs. The profiles stay in test-output/bench/guard-profile/ (Chrome DevTools opens them).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchArgs, LOG_DIR } from '../built-apps.mjs';
import { startSide, startStandIns } from './bench-server.mjs';
import { ensureWrk, wrk } from '../wrk.mjs';

const args = benchArgs();
const endpoint = args.path ?? '/cadip/INS/cadu/DCS_01_S2A_20240101T015000051001_ch1_DSDB_00001.raw';
const rounds = Number(args.rounds ?? 4);
const seconds = Number(args.seconds ?? 8);
const top = Number(args.top ?? 25);
const [measuredSide, baselineSide] = (args.sides ?? 'guarded,unguarded').split(',');
const dir = path.join(LOG_DIR, 'guard-profile');
/** The guard's request-path code; the location middleware is left out, since both sides run it. */
const GUARD_CODE = new RegExp(
  'libs/auth-guard/src/lib/(authentication\\.guard|auth-guard\\.metrics|api-key/(api-key\\.verifier|key-cache)' +
    '|strategies|events|quota)',
);

ensureWrk();
fs.rmSync(dir, { recursive: true, force: true });
const standIns = await startStandIns({ limited: [measuredSide, baselineSide].includes('limited') });
const servers = [];
for (const side of [measuredSide, baselineSide]) {
  servers.push(await startSide(side, standIns, ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, side)}`]));
}
const loaded = { [measuredSide]: { requests: 0, windows: [] }, [baselineSide]: { requests: 0, windows: [] } };
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n); // the clock of V8's profile timestamps
const load = async (server, durationSeconds, counted) => {
  const headers = server.mode === 'guarded' ? [`x-api-key: ${server.apiKey}`] : [];
  const start = monotonicUs();
  const run = await wrk(`${server.url}${endpoint}`, { connections: 16, seconds: durationSeconds, headers });
  if (!counted) return;
  loaded[server.side].requests += run.requests;
  loaded[server.side].windows.push([start, monotonicUs()]);
};
try {
  for (const server of servers) await load(server, 5, false);
  for (let round = 0; round < rounds; round++) {
    for (const server of round % 2 === 0 ? servers : [...servers].reverse()) await load(server, seconds, true);
  }
} finally {
  // Each profile is written as its process exits.
  await Promise.all([...servers.map((server) => server.stop()), standIns.stop()]);
}

/** Self and inclusive time by function, of the samples taken inside `windows`. */
function analyse(mode) {
  const file = fs.readdirSync(path.join(dir, mode)).find((name) => name.endsWith('.cpuprofile'));
  const profile = JSON.parse(fs.readFileSync(path.join(dir, mode, file), 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  const name = ({ callFrame }) =>
    `${callFrame.functionName || '(anonymous)'} ${callFrame.url.replace(/^.*\/(node_modules|work\/main)\//, '')}:${callFrame.lineNumber + 1}`;
  const self = new Map();
  let guard = 0;
  let busy = 0;
  let time = profile.startTime;
  profile.samples.forEach((id, index) => {
    time += profile.timeDeltas[index];
    const interval = profile.timeDeltas[index + 1] ?? 0;
    if (!loaded[mode].windows.some(([start, end]) => time >= start && time <= end)) return;
    const node = nodes.get(id);
    if (node.callFrame.functionName === '(idle)') return;
    busy += interval;
    self.set(name(node), (self.get(name(node)) ?? 0) + interval);
    for (let frame = node; frame; frame = parents.get(frame.id)) {
      if (GUARD_CODE.test(frame.callFrame.url)) {
        guard += interval;
        break;
      }
    }
  });
  return { self, guard, busy, requests: loaded[mode].requests };
}

const measured = analyse(measuredSide);
const baseline = analyse(baselineSide);
const perRequest = (us, side) => Math.round((us / side.requests) * 100) / 100;
console.log(
  JSON.stringify(
    {
      endpoint,
      load_average: os.loadavg()[0],
      requests: { [measuredSide]: measured.requests, [baselineSide]: baseline.requests },
      main_thread_busy_us_per_request: {
        [measuredSide]: perRequest(measured.busy, measured),
        [baselineSide]: perRequest(baseline.busy, baseline),
      },
      guard_code_us_per_request: {
        [measuredSide]: perRequest(measured.guard, measured),
        [baselineSide]: perRequest(baseline.guard, baseline),
      },
      guard_code_share: Math.round((measured.guard / measured.busy) * 1000) / 1000,
    },
    null,
    2,
  ),
);
// Shares of the busy time, not absolute times: the two processes did not run at the same moments.
const scale = measured.busy / measured.requests;
const rows = [...new Set([...measured.self.keys(), ...baseline.self.keys()])].map((key) => [
  key,
  ((measured.self.get(key) ?? 0) / measured.busy - (baseline.self.get(key) ?? 0) / baseline.busy) * scale,
  ((measured.self.get(key) ?? 0) / measured.busy) * scale,
]);
console.log(
  `\nself µs per ${measuredSide} request: ${measuredSide} − ${baselineSide} (share-scaled), ` +
    `${measuredSide}, function`,
);
for (const [key, difference, own] of rows.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, top)) {
  console.log(difference.toFixed(2).padStart(7), own.toFixed(2).padStart(7), key);
}
