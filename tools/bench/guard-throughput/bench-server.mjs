// Starts the bench server (server.ts) as a child process, for run.mjs, thread-cpu.mjs and cpu-profile.mjs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { ROOT } from '../built-apps.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);

/**
 * Starts server.ts in `mode` (both, guarded or unguarded), with `nodeArgs` before the script (e.g. perf's);
 * resolves with the process and its ready line ({"guarded": url | null, "unguarded": url | null, "apiKey"}),
 * the guarded app's key cache filled. The server serves until its stdin closes.
 */
export async function startBenchServer(mode, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, '-r', '@swc-node/register', path.join(HERE, 'server.ts'), mode], {
    cwd: ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: path.join(HERE, 'tsconfig.json'), KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = await new Promise((resolve, reject) => {
    readline
      .createInterface({ input: child.stdout })
      .on('line', (line) => line.startsWith('{"guarded"') && resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`bench server (${mode}) exited (${code})`)));
  });
  if (ready.guarded) await primeKeyCache(ready);
  return { mode, child, pid: child.pid, ready };
}

/**
 * Fills the guarded app's key cache with one request on a connection of its own, before any load: as in a
 * service that checked the key long ago. Left to the load's first requests (16 concurrent cache misses),
 * the check reads the client address (`request.ip`), which caches `_peername` on those 16 sockets and gives
 * them another hidden class than every later connection's; V8 optimised Node's http and stream code for
 * them, then deoptimised ~30 functions ("wrong map") when the next connections came, 4–9 s into the run
 * (`--trace-deopt`; 5 deopts instead of ~30 with the cache primed).
 */
async function primeKeyCache(ready) {
  const response = await fetch(`${ready.guarded}/cadip/INS/session?platform=S1A&limit=1`, {
    headers: { 'x-api-key': ready.apiKey, connection: 'close' },
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`priming the key cache: HTTP ${response.status}`);
}

/** CPU time (ms, user + system) a process has used so far, from /proc: all threads, or the main one. */
export function cpuMs(pid, mainThread = false) {
  const stat = mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
  const fields = fs.readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** A server's CPU so far, whole process and main thread, for `withServerCpu`. */
export const cpuBefore = (pid) => ({ process: cpuMs(pid), main: cpuMs(pid, true) });

/** load.mjs's result line, with the CPU per request its server (`pid`) used since `cpu` (from cpuBefore). */
export function withServerCpu(stdout, pid, cpu) {
  const run = JSON.parse(stdout.trim().split('\n').at(-1));
  // CPU per request hardly depends on what else runs on the machine, unlike requests/s.
  run.server_cpu_us_per_request = Math.round(((cpuMs(pid) - cpu.process) * 1000) / run.requests);
  // The main thread serves every request: the part of the CPU that requests/s is bound by.
  run.server_main_thread_cpu_us_per_request = Math.round(((cpuMs(pid, true) - cpu.main) * 1000) / run.requests);
  return run;
}

/** The benches' median: the upper one of an even count. */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
