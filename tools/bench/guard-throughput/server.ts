// Bench server: the real Cadip app twice in one process, identical but for the guard: GUARDED (API key
// via a stand-in key manager, cached after the first check; usage events to Kafka when it is up) and
// UNGUARDED (the global guard replaced by one that lets everything through). Prints one JSON line with
// both URLs and the key, then serves until stdin closes.
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthenticationGuard } from '@rs/auth-guard';
import { generateApiKey } from '@rs/key-domain';
import { configureApp } from '@rs/service-kit';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../../../apps/cadip/src/app.module';
import { CADIP_CONFIG, loadCadipConfig } from '../../../apps/cadip/src/config/cadip.config';

async function standInKeyManager(): Promise<{ url: string; close: () => void }> {
  // Answers every check as the real one does for a valid key: the bench measures the cached path.
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        user_id: 'bench-user',
        user_login: 'bench',
        iam_roles: ['rs_cadip_ins_read'],
        config: {},
        key_id: 'bench-key',
        allowed_referers: [],
        expiration_date: null,
        never_expire: true,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

async function boot(keyManagerUrl: string, guarded: boolean): Promise<INestApplication> {
  const config = loadCadipConfig({ ...process.env, KEY_MANAGER_URL: keyManagerUrl, PORT: '0' });
  let builder = Test.createTestingModule({ imports: [AppModule] }).overrideProvider(CADIP_CONFIG).useValue(config);
  if (!guarded) builder = builder.overrideProvider(AuthenticationGuard).useValue({ canActivate: () => true });
  const app = (await builder.compile()).createNestApplication({ logger: ['error', 'warn'] });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  return app;
}

async function main(): Promise<void> {
  const keyManager = await standInKeyManager();
  const guarded = await boot(keyManager.url, true);
  const unguarded = await boot(keyManager.url, false);
  const url = async (app: INestApplication) => (await app.getUrl()).replace('[::1]', '127.0.0.1');
  console.log(JSON.stringify({ guarded: await url(guarded), unguarded: await url(unguarded), apiKey: generateApiKey() }));
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await guarded.close();
    await unguarded.close();
    keyManager.close();
    process.exit(0);
  });
}

void main();
