#!/usr/bin/env node
// Where the guarded app's extra main-thread CPU goes: the bench server under load, profiled by `perf`
// (cpu-clock, 2000 Hz, the main thread only), once loading only the guarded app and once only the
// unguarded one; prints µs of main-thread CPU per request by function, guarded − unguarded.
//
//   node tools/bench/guard-throughput/cpu-profile.mjs [--path <path>] [--seconds 10] [--alternate <slices>] [--top 40] [--match <text>] [--below <text>]
//
// By default each side gets its own server and is loaded alone (the JIT sees one app's requests, as in
// production). --alternate N loads both apps of one server in turn, N slices of --seconds each (as run.mjs).
// --match keeps the functions whose name contains the text; --below also lists, for the guarded app, the
// callees of the (first) function whose name contains the text, with their inclusive µs per request.
// --save <prefix> writes each side's folded stacks (`frame;frame;… count`, and the request count first)
// to <prefix>-guarded.folded and <prefix>-unguarded.folded, for flame graphs or another look.
//
// Why perf and not `node --cpu-prof`: V8's sampler ticks on wall-clock time, so on a busy machine a
// preempted thread's wait is charged to whatever ran last (writev above all); cpu-clock samples only
// while the thread runs. Needs `perf` and perf_event_paranoid ≤ 2. JIT frames are named from the
// /tmp/perf-<pid>.map that --perf-basic-prof writes; an address reused by later code takes the later name.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { benchArgs, ROOT } from '../built-apps.mjs';
import { startBenchServer } from './bench-server.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const args = benchArgs();
const urlPath = args.path ?? '/cadip/INS/cadu/DCS_01_S2A_20240101T015000051001_ch1_DSDB_00001.raw';
const seconds = Number(args.seconds ?? 10);
const top = Number(args.top ?? 40);
const HZ = 2000;

/** A bench server hosting both apps, JIT frames named for perf (see above). */
const startServer = () =>
  startBenchServer('both', ['--perf-basic-prof-only-functions', '--interpreted-frames-native-stack']);

function load(ready, side, duration) {
  const headers = side === 'guarded' ? [`x-api-key:${ready.apiKey}`] : [];
  const result = spawnSync(
    process.execPath,
    [path.join(HERE, 'load.mjs'), `${ready[side]}${urlPath}`, '16', String(duration), ...headers],
    { encoding: 'utf8' },
  );
  return JSON.parse(result.stdout.trim().split('\n').at(-1));
}

/** Loads one side for `duration` s while perf samples the server's main thread; adds the stacks to `into`. */
async function record(server, ready, side, duration, into) {
  const data = path.join(fs.mkdtempSync('/tmp/guard-profile-'), 'perf.data');
  const perf = spawn(
    'perf',
    ['record', '-q', '-e', 'cpu-clock', '-F', String(HZ), '-g', '-t', String(server.pid), '-o', data],
    { stdio: 'inherit' },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const run = load(ready, side, duration);
  perf.kill('SIGINT');
  await new Promise((resolve) => perf.once('exit', resolve));
  into.requests += run.requests;
  into.seconds += duration;
  into.scripts.push(
    spawnSync('perf', ['script', '-i', data, '-F', 'ip,sym,dso'], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout,
  );
  fs.rmSync(path.dirname(data), { recursive: true });
}

/** Folded main-thread stacks (root first) with their sample counts, JIT frames named once the server is gone. */
function fold(pid, { requests, seconds: duration, scripts }) {
  const names = jitNames(`/tmp/perf-${pid}.map`);
  const stacks = new Map();
  for (const sample of scripts.join('\n\n').split('\n\n')) {
    const frames = [];
    for (const line of sample.split('\n')) {
      const match = /^\s*([0-9a-f]+) (.*) \((.*)\)$/.exec(line);
      if (!match) continue;
      let name = match[2];
      if (match[3].includes('perf-') || name === '[unknown]') name = names(parseInt(match[1], 16)) ?? name;
      frames.push(tidy(name));
    }
    if (frames.length) {
      const key = frames.reverse().join(';');
      stacks.set(key, (stacks.get(key) ?? 0) + 1);
    }
  }
  return { requests, rps: Math.round(requests / duration), stacks };
}

async function stop(server) {
  server.stdin.end();
  await new Promise((resolve) => server.once('exit', resolve));
}

/** One server per side, only that side loaded (the JIT sees one app's requests, as in production). */
async function profileAlone(side) {
  const { child: server, ready: urls } = await startServer();
  load(urls, side, 5);
  load(urls, side, 5); // the JIT settles
  const samples = { requests: 0, seconds: 0, scripts: [] };
  await record(server, urls, side, seconds, samples);
  await stop(server);
  return fold(server.pid, samples);
}

/** Both sides in one server, alternating `slices` times (as run.mjs does), each side's slices sampled apart. */
async function profileAlternating(slices) {
  const { child: server, ready: urls } = await startServer();
  for (const side of ['unguarded', 'guarded', 'unguarded', 'guarded']) load(urls, side, 5);
  const samples = {
    guarded: { requests: 0, seconds: 0, scripts: [] },
    unguarded: { requests: 0, seconds: 0, scripts: [] },
  };
  for (let slice = 0; slice < slices; slice++) {
    for (const side of slice % 2 === 0 ? ['unguarded', 'guarded'] : ['guarded', 'unguarded'])
      await record(server, urls, side, seconds, samples[side]);
  }
  await stop(server);
  return [fold(server.pid, samples.guarded), fold(server.pid, samples.unguarded)];
}

/** Resolves JIT addresses from a perf map; where entries overlap (code freed, space reused) the later one wins. */
function jitNames(file) {
  const entries = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line, order) => {
      const [start, size, ...name] = line.split(' ');
      return { start: parseInt(start, 16), end: parseInt(start, 16) + parseInt(size, 16), order, name: name.join(' ') };
    })
    .sort((a, b) => a.start - b.start);
  return (address) => {
    let low = 0;
    let high = entries.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (entries[middle].start <= address) low = middle;
      else high = middle - 1;
    }
    let best;
    for (let index = low; index >= 0 && index > low - 400; index--) {
      const entry = entries[index];
      if (entry.start <= address && address < entry.end && (!best || entry.order > best.order)) best = entry;
    }
    return best?.name;
  };
}

function tidy(name) {
  return name
    .replace(/\+0x[0-9a-f]+$/, '')
    .replace(/^(JS|LazyCompile|Function):[*~^+]?/, '')
    .replaceAll(`${ROOT}/node_modules/`, '~/')
    .replaceAll(`${ROOT}/`, '')
    .replaceAll(';', ',');
}

/** µs of main-thread CPU per request by function, inclusive (a function counted once per stack). */
function perRequest({ requests, stacks }) {
  const inclusive = new Map();
  let total = 0;
  for (const [stack, count] of stacks) {
    total += count;
    for (const frame of new Set(stack.split(';'))) inclusive.set(frame, (inclusive.get(frame) ?? 0) + count);
  }
  const scale = 1e6 / HZ / requests;
  return { total: total * scale, inclusive: new Map([...inclusive].map(([frame, count]) => [frame, count * scale])) };
}

const [guarded, unguarded] = args.alternate
  ? await profileAlternating(Number(args.alternate))
  : [await profileAlone('guarded'), await profileAlone('unguarded')];
if (args.save) {
  for (const [side, profiled] of [
    ['guarded', guarded],
    ['unguarded', unguarded],
  ]) {
    const lines = [
      `# requests ${profiled.requests}`,
      ...[...profiled.stacks].map(([stack, count]) => `${stack} ${count}`),
    ];
    fs.writeFileSync(`${args.save}-${side}.folded`, `${lines.join('\n')}\n`);
  }
}
const g = perRequest(guarded);
const u = perRequest(unguarded);
const format = (value) => value.toFixed(1).padStart(7);
console.log(
  `${urlPath}: guarded ${guarded.rps} req/s, ${format(g.total)} µs main-thread CPU/request; unguarded ${unguarded.rps} req/s, ${format(u.total)} µs`,
);
console.log('guarded unguarded  diff  function (inclusive µs per request)');
const frames = [...new Set([...g.inclusive.keys(), ...u.inclusive.keys()])].filter(
  (frame) => !args.match || frame.includes(args.match),
);
frames.sort(
  (a, b) =>
    (g.inclusive.get(b) ?? 0) - (u.inclusive.get(b) ?? 0) - ((g.inclusive.get(a) ?? 0) - (u.inclusive.get(a) ?? 0)),
);
for (const frame of frames.slice(0, top)) {
  const [before, after] = [u.inclusive.get(frame) ?? 0, g.inclusive.get(frame) ?? 0];
  console.log(`${format(after)} ${format(before)} ${format(after - before)}  ${frame.slice(0, 140)}`);
}

if (args.below) {
  const callees = new Map();
  for (const [stack, count] of guarded.stacks) {
    const frames = stack.split(';');
    const index = frames.findIndex((frame) => frame.includes(args.below));
    if (index === -1) continue;
    const callee = frames[index + 1] ?? '(self)';
    callees.set(callee, (callees.get(callee) ?? 0) + count);
  }
  const scale = 1e6 / HZ / guarded.requests;
  console.log(`guarded: callees of ${args.below} (inclusive µs per request)`);
  for (const [callee, count] of [...callees].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${format(count * scale)}  ${callee.slice(0, 140)}`);
}
