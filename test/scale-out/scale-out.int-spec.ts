// The scale-out bench (tools/bench/scale-out, docs/benchmarks.md) in a short form: a minute of load through nginx
// over two replicas of every app and a 3-node Kafka cluster, while a Kafka node is killed and one replica of each
// app is stopped as Kubernetes stops a pod (SIGTERM), then both brought back. Every verdict of the bench must hold.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/platform-apps';

const LOG = path.join(ROOT, 'test-output', 'scale-out.int-spec.log');
const BENCH_TIMEOUT_MS = 300_000;

interface ScaleOutReport {
  verdict: Record<string, boolean>;
  usage: { served: number; counted_in_totals: number; lost: number; counted_twice: number };
}

/** Runs the bench; its progress goes to LOG, its JSON report is on stdout (also when a verdict fails). */
function runBench(args: string[]): Promise<ScaleOutReport> {
  fs.mkdirSync(path.dirname(LOG), { recursive: true });
  const log = fs.openSync(LOG, 'w');
  const child = spawn(process.execPath, [path.join(ROOT, 'tools', 'bench', 'scale-out', 'run.mjs'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', log],
    // Before jest's own timeout: the bench stops its apps, Kafka cluster and nginx on SIGINT.
    timeout: BENCH_TIMEOUT_MS,
    killSignal: 'SIGINT',
  });
  let stdout = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  return new Promise((resolve, reject) =>
    child.once('close', (code) => {
      fs.closeSync(log);
      try {
        resolve(JSON.parse(stdout) as ScaleOutReport);
      } catch {
        reject(new Error(`scale-out bench exited ${code} without a report; see ${LOG}`));
      }
    }),
  );
}

describe('Scale-out on one machine (short form of the scale-out bench)', () => {
  it(
    'should hold every verdict through a Kafka node loss and graceful replica restarts',
    async () => {
      const report = await runBench(['--seconds', '60', '--rate', '10', '--app-signal', 'SIGTERM']);

      expect(report.verdict).toEqual({
        revocation_p99_within_1s: true,
        usage_exact: true,
        usage_lost_only_with_killed_guards_windows: true,
        throttle_shared: true,
        no_5xx_but_in_flight_to_killed: true,
      });
      expect(report.usage.served).toBeGreaterThan(0);
      expect(report.usage).toMatchObject({ lost: 0, counted_twice: 0, counted_in_totals: report.usage.served });
    },
    BENCH_TIMEOUT_MS + 60_000,
  );
});
