// CPU cost of the guard without HTTP: canActivate with a cached API key plus the usage event it records,
// called in a loop on fake requests. Complements run.mjs, whose figures include the network.
//   SWC_NODE_PROJECT=tools/bench/guard-throughput/tsconfig.json node -r @swc-node/register tools/bench/guard-throughput/guard-cpu.ts [mode]
// mode: `stub` (default: usage events counted, not sent), `thread` (real publisher, producer thread, Kafka
// at 127.0.0.1:9092), `inline` (real publisher, producer on the request thread). Reports the CPU of the
// request thread alone (from /proc/self/task) and of the whole process (threads included).
import type { ExecutionContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ApiKeyVerifier, AuthenticationGuard, AuthGuardModule, KeyUsagePublisher } from '@rs/auth-guard';
import { generateApiKey } from '@rs/key-domain';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';

const mode = process.argv[2] ?? 'stub';

/** CPU µs used so far by the main (request) thread alone: its task's utime + stime, in clock ticks of 10 ms. */
function mainThreadCpuUs(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

class Route {
  handle(): number {
    return 1;
  }
}

async function main(): Promise<void> {
  let recorded = 0;
  const builder = Test.createTestingModule({
    imports: [
      AuthGuardModule.forRoot({
        serviceName: 'bench',
        keycloak: { url: 'http://127.0.0.1:9', realm: 'r', audience: 'a' },
        apiKey: { keyManagerUrl: 'http://127.0.0.1:9' },
        kafka:
          mode === 'stub'
            ? false
            : { brokers: ['127.0.0.1:9092'], clientId: 'bench', usageProducerThread: mode === 'thread' },
      }),
    ],
  });
  if (mode === 'stub')
    builder.overrideProvider(KeyUsagePublisher).useValue({ enabled: true, record: () => recorded++ });
  const moduleRef = await builder.compile();
  await moduleRef.init();
  const publisher = moduleRef.get(KeyUsagePublisher);
  while (mode !== 'stub' && !publisher.isConnected) await new Promise((resolve) => setTimeout(resolve, 50));
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
      const request = {
        headers: { 'x-api-key': key },
        query: {},
        params: {},
        method: 'GET',
        route: { path: '/x' },
        baseUrl: '',
        ip: '127.0.0.1',
        socket: {},
      };
      // As express leaves them: the request on `response.req`.
      const response = Object.assign(new EventEmitter(), {
        req: request,
        statusCode: 200,
        writableFinished: true,
        setHeader: () => undefined,
      });
      const args = [request, response];
      // Both ways to the HTTP arguments, for guards before and after session 5 (getArgByIndex).
      const context = {
        getHandler: () => Route.prototype.handle,
        getClass: () => Route,
        getType: () => 'http',
        getArgByIndex: (index: number) => args[index],
        switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
      } as unknown as ExecutionContext;
      await guard.canActivate(context);
      response.emit('close');
    }
  };
  await run(20_000);
  await publisher.flush?.();
  const count = 100_000;
  const before = process.cpuUsage();
  const mainBefore = mainThreadCpuUs();
  await run(count);
  // Until every event has left (the real publisher sends in the background).
  while (mode !== 'stub' && publisher.bufferedCount > 0) await publisher.flush();
  const used = process.cpuUsage(before);
  const perRequest = (us: number) => Math.round((us / count) * 10) / 10;
  console.log(
    JSON.stringify({
      mode,
      requests: count,
      request_thread_cpu_us_per_request: perRequest(mainThreadCpuUs() - mainBefore),
      process_cpu_us_per_request: perRequest(used.user + used.system),
      ...(mode === 'stub' && { usage_events_recorded: recorded }),
    }),
  );
  await moduleRef.close();
}

void main();
