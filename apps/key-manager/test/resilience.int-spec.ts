import { KEY_LIFECYCLE_TOPIC, type KeyLifecycleEventV1 } from '@rs/event-contracts';
import {
  eventually,
  freePort,
  PrivateMongo,
  recordTopic,
  stackEndpoints,
  type TopicRecorder,
  userToken,
} from '@rs/testing';
import net from 'node:net';
import { keyManagerCaller, type RunningKeyManager, startKeyManager } from './key-manager.harness';

/** A Kafka bootstrap address we can switch off and on: forwards to the real broker while "up". */
class SwitchableKafkaBootstrap {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  constructor(readonly port: number) {}

  async up(): Promise<void> {
    const [host, port] = stackEndpoints.kafkaBrokers[0].split(':');
    this.server = net.createServer((client) => {
      const broker = net.connect(Number(port), host);
      for (const socket of [client, broker]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(broker).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
  }

  async down(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
    this.server = null;
  }
}

describe('key manager resilience', () => {
  let mongo: PrivateMongo;
  let kafka: SwitchableKafkaBootstrap;
  let km: RunningKeyManager;
  let lifecycle: TopicRecorder<KeyLifecycleEventV1>;
  let token: string;

  beforeAll(async () => {
    mongo = new PrivateMongo(await freePort());
    kafka = new SwitchableKafkaBootstrap(await freePort());
    await mongo.start();
    lifecycle = await recordTopic<KeyLifecycleEventV1>(KEY_LIFECYCLE_TOPIC);
    km = await startKeyManager({
      MONGO_URL: `mongodb://127.0.0.1:${mongo.port}/rskeysresilience`,
      KAFKA_BROKERS: `127.0.0.1:${kafka.port}`,
      EVENT_PUBLISH_TIMEOUT_MS: '250',
    });
    token = await userToken('alice');
  });

  afterAll(async () => {
    await km?.close();
    await kafka?.down();
    await mongo?.dispose();
    await lifecycle?.stop();
  });

  const caller = keyManagerCaller('10.21');
  const call = (path: string, headers: Record<string, string> = {}) => caller.call(km, path, { token, headers });

  it('should answer quickly while Kafka is down, and deliver the events once it is back', async () => {
    const created = await call('/auth/api_key/new?name=while-kafka-is-down');
    expect(created.status).toBe(200);
    const key = created.body as string;
    const keyId = (await call('/auth/check_key', { 'x-api-key': key })).body.key_id as string;

    const started = Date.now();
    const revoked = await call(`/auth/api_key/revoke?id=${keyId}`);
    const elapsed = Date.now() - started;
    expect(revoked.status).toBe(200);
    // Bounded wait (250 ms) plus request overhead; generous for a shared 2-core machine.
    expect(elapsed).toBeLessThan(2000);
    expect(lifecycle.messages.some((m) => m.value.key_id === keyId)).toBe(false);

    await kafka.up();
    await eventually(
      () => {
        const actions = lifecycle.messages.filter((m) => m.value.key_id === keyId).map((m) => m.value.action);
        if (!actions.includes('created') || !actions.includes('revoked')) throw new Error(`only ${actions.join(',')}`);
      },
      20000,
      250,
    );
  });

  it('should answer 503 while MongoDB is down and recover without a restart, losing nothing', async () => {
    const key = (await call('/auth/api_key/new?name=survives-the-outage')).body as string;
    await mongo.kill();

    const list = await call('/auth/api_key/list');
    expect(list).toMatchObject({ status: 503, body: { code: 'DEPENDENCY_UNAVAILABLE' } });
    expect((await call('/auth/check_key', { 'x-api-key': key })).status).toBe(503);
    const publicReadiness = await fetch(`${km.url}/health/ready`);
    expect(publicReadiness.status).toBe(503);
    const publicBody = await publicReadiness.text();
    expect(publicBody).toContain('DEPENDENCY_UNAVAILABLE');
    expect(publicBody).not.toMatch(/mongo/i);
    const report = await fetch(`${km.managementUrl}/health/ready`);
    expect(report.status).toBe(503);
    expect(await report.json()).toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
      checks: expect.objectContaining({ mongodb: expect.stringMatching(/^down: /) }),
    });

    await mongo.start();
    await eventually(
      async () => {
        const response = await call('/auth/check_key', { 'x-api-key': key });
        if (response.status !== 200) throw new Error(`still ${response.status}`);
      },
      30000,
      500,
    );
    const names = (await call('/auth/api_key/list')).body.map((item: { name: string }) => item.name);
    expect(names).toEqual(expect.arrayContaining(['while-kafka-is-down', 'survives-the-outage']));
  });
});
