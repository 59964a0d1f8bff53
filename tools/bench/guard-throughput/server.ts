// Bench server: the real Cadip app, guarded, unguarded, or both in one process, identical but for the
// guard: GUARDED (API key via a stand-in key manager, cached after the first check; usage events to Kafka
// when it is up) and UNGUARDED (the global guard replaced by one that lets everything through).
//
//   node -r @swc-node/register server.ts [both|guarded|unguarded]      (default: both)
//
// `both` boots the two apps in this one process (cpu-profile.mjs, `run.mjs --same-process`); `guarded` or
// `unguarded` boots only that app, as a deployed service is either guarded or not (run.mjs's default starts
// one process of each). Prints one JSON line, {"guarded": url | null, "unguarded": url | null, "apiKey"},
// then serves until stdin closes. BENCH_VARIANT changes the GUARDED app, to split the difference:
// `no-usage` (the guard without usage events), `inline` (usage events sent from the request thread,
// USAGE_PRODUCER_THREAD=false), `a-a` (unguarded too: calibrates the bench).
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthenticationGuard, KeyUsagePublisher } from '@rs/auth-guard';
import { generateApiKey } from '@rs/key-domain';
import { configureApp } from '@rs/service-kit';
import { Worker } from 'node:worker_threads';
import { AppModule } from '../../../apps/cadip/src/app.module';
import { CADIP_CONFIG, loadCadipConfig } from '../../../apps/cadip/src/config/cadip.config';

/**
 * The stand-in key manager answers every check as the real one does for a valid key (the bench measures the
 * cached path). It runs in a worker thread, its own V8 isolate, as the real key manager is another process:
 * its plain node:http requests and responses (no express prototypes) never reach the type feedback of the
 * app's Node http code. (`--trace-deopt`: it was not what deoptimised that code in the guarded server 4–9 s
 * after start; the first cache misses were, see bench-server.mjs.)
 */
const STAND_IN_KEY_MANAGER = `
const { createServer } = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const body = JSON.stringify(workerData);
const server = createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(body);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => server.close(() => process.exit(0)));
`;

async function standInKeyManager(): Promise<{ url: string; close: () => void }> {
  const worker = new Worker(STAND_IN_KEY_MANAGER, {
    eval: true,
    workerData: {
      user_id: 'bench-user',
      user_login: 'bench',
      iam_roles: ['rs_cadip_ins_read'],
      config: {},
      key_id: 'bench-key',
      allowed_referers: [],
      expiration_date: null,
      never_expire: true,
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  worker.unref();
  return { url: `http://127.0.0.1:${port}`, close: () => worker.postMessage('close') };
}

type Variant = 'full' | 'no-usage' | 'inline' | 'unguarded';

async function boot(keyManagerUrl: string, variant: Variant): Promise<INestApplication> {
  const config = loadCadipConfig({
    ...process.env,
    KEY_MANAGER_URL: keyManagerUrl,
    PORT: '0',
    ...(variant === 'inline' && { USAGE_PRODUCER_THREAD: 'false' }),
  });
  let builder = Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(CADIP_CONFIG)
    .useValue(config);
  if (variant === 'unguarded')
    builder = builder.overrideProvider(AuthenticationGuard).useValue({ canActivate: () => true });
  if (variant === 'no-usage')
    builder = builder.overrideProvider(KeyUsagePublisher).useValue({ enabled: false, record: () => undefined });
  const app = (await builder.compile()).createNestApplication({ logger: ['error', 'warn'] });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  return app;
}

type Mode = 'both' | 'guarded' | 'unguarded';

async function main(): Promise<void> {
  const mode = (process.argv[2] ?? 'both') as Mode;
  if (!['both', 'guarded', 'unguarded'].includes(mode)) throw new Error(`mode ${mode}: both, guarded or unguarded`);
  // Started in every mode, so that a guarded and an unguarded process differ only by the guard.
  const keyManager = await standInKeyManager();
  const variant = process.env['BENCH_VARIANT'] ?? 'full';
  const guarded =
    mode === 'unguarded' ? null : await boot(keyManager.url, variant === 'a-a' ? 'unguarded' : (variant as Variant));
  const unguarded = mode === 'guarded' ? null : await boot(keyManager.url, 'unguarded');
  const url = async (app: INestApplication | null) => (app ? (await app.getUrl()).replace('[::1]', '127.0.0.1') : null);
  console.log(
    JSON.stringify({ guarded: await url(guarded), unguarded: await url(unguarded), apiKey: generateApiKey() }),
  );
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await guarded?.close();
    await unguarded?.close();
    keyManager.close();
    process.exit(0);
  });
}

void main();
