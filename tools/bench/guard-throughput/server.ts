// Bench server: the real Cadip app, guarded (API key checked by the stand-in key manager at
// BENCH_KEY_MANAGER_URL, cached after the first check; usage published to Kafka) or unguarded (the global
// guard replaced by one that lets everything through).
//
//   node -r @swc-node/register server.ts guarded|unguarded
//
// Prints one JSON line, {"url", "managementUrl", "apiKey"}, then serves until stdin closes.
import { Test } from '@nestjs/testing';
import { AuthenticationGuard } from '@rs/auth-guard';
import { generateApiKey } from '@rs/key-domain';
import { configureApp, listenWithManagement } from '@rs/service-kit';
import { AppModule } from '../../../apps/cadip/src/app.module';
import { CADIP_CONFIG, loadCadipConfig } from '../../../apps/cadip/src/config/cadip.config';

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode !== 'guarded' && mode !== 'unguarded') throw new Error(`mode ${mode}: guarded or unguarded`);
  const keyManagerUrl = process.env['BENCH_KEY_MANAGER_URL'] ?? 'http://127.0.0.1:1';
  const config = loadCadipConfig({ ...process.env, KEY_MANAGER_URL: keyManagerUrl, PORT: '0' });
  let builder = Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(CADIP_CONFIG)
    .useValue(config);
  if (mode === 'unguarded') {
    builder = builder.overrideProvider(AuthenticationGuard).useValue({ canActivate: () => true });
  }
  const app = (await builder.compile()).createNestApplication({ logger: ['error', 'warn'] });
  configureApp(app);
  const { url, managementUrl } = await listenWithManagement(app, { HOST: '127.0.0.1', PORT: 0 });
  console.log(JSON.stringify({ url, managementUrl, apiKey: generateApiKey() }));
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await app.close();
    process.exit(0);
  });
}

void main();
