// Starts the bench server (server.ts) as a child process, for run.mjs and thread-cpu.mjs.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { ROOT } from '../built-apps.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);

/**
 * Starts server.ts in `mode` (both, guarded or unguarded); resolves with the process and its ready line
 * ({"guarded": url | null, "unguarded": url | null, "apiKey"}). The server serves until its stdin closes.
 */
export async function startBenchServer(mode) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(HERE, 'server.ts'), mode], {
    cwd: ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: path.join(HERE, 'tsconfig.json'), KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = await new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on('line', (line) => line.startsWith('{"guarded"') && resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`bench server (${mode}) exited (${code})`)));
  });
  return { mode, child, pid: child.pid, ready };
}
