// wrk (Debian's package) as the load source of the benches: a C client that leaves the server most of the
// machine's CPU. Installed with apt-get when missing.
import { spawn, spawnSync } from 'node:child_process';
import { aptInstall } from '../run-util.mjs';

export function ensureWrk() {
  if (spawnSync('wrk', ['--version']).error === undefined) return;
  console.error('[bench] wrk missing: installing Debian package wrk');
  if (!aptInstall(['wrk'])) throw new Error("could not install wrk: run 'apt-get install -y wrk' as root");
}

/**
 * Loads `url` with wrk (one thread, `connections` keep-alive connections) for `seconds`; resolves with
 * requests/s, requests answered, and how many of them were not 2xx/3xx or failed.
 */
export function wrk(url, { connections, seconds, headers = [] }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, ...headers.flatMap((header) => ['-H', header]), url];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`wrk ${args.join(' ')}: ${output}`));
      const number = (pattern) => Number(output.match(pattern)?.[1] ?? 0);
      resolve({
        rps: number(/Requests\/sec:\s+([\d.]+)/),
        requests: number(/(\d+) requests in/),
        bad: number(/Non-2xx or 3xx responses:\s+(\d+)/),
        socketErrors: (output.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/) ?? [])
          .slice(1)
          .reduce((sum, count) => sum + Number(count), 0),
      });
    });
  });
}
