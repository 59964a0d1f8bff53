// CPU cost of the guard alone (no HTTP, no Kafka): canActivate with a cached API key plus the usage event
// it records, called in a loop on fake requests. Complements run.mjs, whose figures include the network.
//   SWC_NODE_PROJECT=tools/bench/guard-throughput/tsconfig.json node -r @swc-node/register tools/bench/guard-throughput/guard-cpu.ts
import type { ExecutionContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ApiKeyVerifier, AuthenticationGuard, AuthGuardModule, KeyUsagePublisher } from '@rs/auth-guard';
import { generateApiKey } from '@rs/key-domain';
import { EventEmitter } from 'node:events';

class Route {
  handle(): number {
    return 1;
  }
}

async function main(): Promise<void> {
  let recorded = 0;
  const moduleRef = await Test.createTestingModule({
    imports: [
      AuthGuardModule.forRoot({
        serviceName: 'bench',
        keycloak: { url: 'http://127.0.0.1:9', realm: 'r', audience: 'a' },
        apiKey: { keyManagerUrl: 'http://127.0.0.1:9' },
        kafka: false,
      }),
    ],
  })
    .overrideProvider(KeyUsagePublisher)
    .useValue({ enabled: true, record: () => recorded++ })
    .compile();
  const guard = moduleRef.get(AuthenticationGuard);
  // Stands in for the key manager once; every later check is a cache hit.
  const verifier = moduleRef.get(ApiKeyVerifier) as unknown as { client: { checkKey: () => Promise<unknown> } };
  verifier.client.checkKey = async () => ({
    principal: { user_id: 'u', user_login: 'bench', iam_roles: ['r'], config: {}, auth_method: 'api_key', key_id: 'k' },
    allowed_referers: [],
    expiresAt: null,
  });
  const key = generateApiKey();
  const run = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const response = Object.assign(new EventEmitter(), { statusCode: 200, writableFinished: true, setHeader: () => undefined });
      const request = { headers: { 'x-api-key': key }, query: {}, params: {}, method: 'GET', route: { path: '/x' }, baseUrl: '', ip: '127.0.0.1', socket: {} };
      const context = {
        getHandler: () => Route.prototype.handle,
        getClass: () => Route,
        getType: () => 'http',
        switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
      } as unknown as ExecutionContext;
      await guard.canActivate(context);
      response.emit('finish');
    }
  };
  await run(20_000);
  const count = 100_000;
  const before = process.cpuUsage();
  await run(count);
  const used = process.cpuUsage(before);
  console.log(JSON.stringify({ requests: count, usage_events: recorded, guard_cpu_us_per_request: Math.round(((used.user + used.system) / count) * 10) / 10 }));
  await moduleRef.close();
}

void main();
