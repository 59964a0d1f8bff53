// Starts the bench server (server.ts) as a child process, for run.mjs, thread-cpu.mjs and cpu-profile.mjs.
import { spawn } from 'node:child_process';
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
    readline.createInterface({ input: child.stdout }).on('line', (line) => line.startsWith('{"guarded"') && resolve(JSON.parse(line)));
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
  const response = await fetch(`${ready.guarded}/cadip/INS/session?platform=S1A&limit=1`, { headers: { 'x-api-key': ready.apiKey, connection: 'close' } });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`priming the key cache: HTTP ${response.status}`);
}
