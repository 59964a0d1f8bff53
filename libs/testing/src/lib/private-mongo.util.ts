import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from './eventually.util';
import { ferretdbBinary } from './stack-endpoints';

/** A port nobody listens on yet (bind it soon). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A FerretDB of a test's own (the stack's binary, a temporary data directory), which the test may kill and
 * start again without disturbing the shared one: data survives a kill, as it would a crash.
 */
export class PrivateMongo {
  private process: ChildProcess | null = null;
  readonly dataDir = mkdtempSync(path.join(tmpdir(), 'rs-ferret-'));

  constructor(readonly port: number) {}

  static async create(): Promise<PrivateMongo> {
    return new PrivateMongo(await freePort());
  }

  url(database: string): string {
    return `mongodb://127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    this.process = spawn(
      ferretdbBinary(),
      [
        '--handler=sqlite',
        `--sqlite-url=file:${this.dataDir}/`,
        `--listen-addr=127.0.0.1:${this.port}`,
        '--state-dir=-',
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=error',
      ],
      { stdio: 'ignore' },
    );
    await eventually(
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = net.connect(this.port, '127.0.0.1', () => {
            socket.end();
            resolve();
          });
          socket.on('error', reject);
        }),
      15000,
    );
  }

  /** SIGKILL: connections drop at once, as in a crash. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
