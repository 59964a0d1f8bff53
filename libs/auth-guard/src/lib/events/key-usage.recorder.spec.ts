import type { Response } from 'express';
import { once } from 'node:events';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { REQUEST_STARTED_AT } from '../api-key/api-key-location.middleware';
import type { KeyUsagePublisher } from './key-usage.publisher';
import { acceptedCheck } from '../testing/key-check-result.test-helper';
import { KeyUsageRecorder } from './key-usage.recorder';

const { principal } = acceptedCheck();

/** What a test's server does with a request, once the recorder has seen it as the guard leaves it. */
type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A real node:http server whose requests look like express's after the guard: route, principal, start time. */
class TestServer {
  readonly server: Server;
  /** Called with each request (after the fields are set) instead of answering it; `track` is up to the test. */
  handler: Handler = (_request, response) => response.end('ok');
  /** Responses the server did not answer yet, in arrival order. */
  readonly waiting: ServerResponse[] = [];

  constructor() {
    this.server = createServer((request, response) => {
      Object.assign(request, {
        baseUrl: '/cadip',
        route: { path: '/:station/session' },
        principal,
        [REQUEST_STARTED_AT]: performance.now(),
      });
      this.handler(request, response);
    });
  }

  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe(KeyUsageRecorder.name, () => {
  let publisher: { enabled: boolean; record: jest.Mock };
  let sut: KeyUsageRecorder;
  let server: TestServer;
  let port: number;

  beforeEach(async () => {
    publisher = { enabled: true, record: jest.fn() };
    sut = new KeyUsageRecorder(publisher as unknown as KeyUsagePublisher);
    server = new TestServer();
    port = await server.listen();
  });

  afterEach(async () => {
    sut.onApplicationShutdown();
    await server.close();
  });

  /** One GET on a fresh connection; resolves with the status once the whole response is read. */
  async function get(path = '/cadip/INS/session', headers: Record<string, string> = {}): Promise<number> {
    const request = httpRequest({ port, host: '127.0.0.1', path, headers, agent: false });
    request.end();
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    response.resume();
    await once(response, 'end');
    return response.statusCode as number;
  }

  /** Resolves once the publisher has been handed `count` events (they follow the response by a tick). */
  async function recorded(count: number): Promise<unknown[][]> {
    for (let attempt = 0; publisher.record.mock.calls.length < count && attempt < 200; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 5));
    return publisher.record.mock.calls;
  }

  it("should record the request's fields once, when its response is finished", async () => {
    server.handler = (request, response) => {
      sut.track(response as unknown as Response, principal);
      setTimeout(() => {
        response.statusCode = 206;
        response.end('part');
      }, 20);
    };
    const before = Date.now();
    expect(await get('/cadip/INS/session')).toBe(206);
    const calls = await recorded(1);
    expect(calls).toHaveLength(1);
    const [keyId, userId, method, route, status, latencyMs, occurredAt] = calls[0] as [
      string,
      string,
      string,
      string,
      number,
      number,
      number,
    ];
    expect([keyId, userId, method, route, status]).toEqual(['key-1', 'u-1', 'GET', '/cadip/:station/session', 206]);
    expect(latencyMs).toBeGreaterThanOrEqual(15);
    expect(occurredAt).toBeGreaterThanOrEqual(before);
  });

  it('should record each request of a keep-alive connection, and a response tracked twice once', async () => {
    server.handler = (request, response) => {
      sut.track(response as unknown as Response, principal);
      sut.track(response as unknown as Response, principal);
      response.statusCode = request.url === '/missing' ? 404 : 200;
      response.end();
    };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const statuses: number[] = [];
    for (const path of ['/a', '/missing', '/b']) {
      const request = httpRequest({ port, host: '127.0.0.1', path, agent });
      request.end();
      const [response] = (await once(request, 'response')) as [IncomingMessage];
      response.resume();
      await once(response, 'end');
      statuses.push(response.statusCode as number);
    }
    agent.destroy();
    expect(statuses).toEqual([200, 404, 200]);
    expect((await recorded(3)).map((call) => call[4])).toEqual([200, 404, 200]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(publisher.record).toHaveBeenCalledTimes(3);
  });

  it('should record 499 for every tracked response the client did not wait for, pipelined ones included', async () => {
    server.handler = (request, response) => {
      sut.track(response as unknown as Response, principal);
      if (request.url === '/fast') response.end();
      else server.waiting.push(response);
    };
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\nPOST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
    );
    while (server.waiting.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    socket.destroy();
    const calls = await recorded(3);
    expect(calls.map((call) => [call[2], call[4]])).toEqual([
      ['GET', 200],
      ['GET', 499],
      ['POST', 499],
    ]);
  });

  it('should record 499 at once when the connection is already gone', async () => {
    server.handler = (_request, response) => {
      response.socket?.destroy();
      sut.track(response as unknown as Response, principal);
    };
    await expect(get()).rejects.toThrow(/socket hang up/);
    expect((await recorded(1)).map((call) => call[4])).toEqual([499]);
  });

  it("should record 'unmatched' as the route when no route matched, and the template alone without a base URL", async () => {
    server.handler = (request, response) => {
      if (request.url === '/unmatched') Object.assign(request, { route: undefined });
      else Object.assign(request, { baseUrl: '' });
      sut.track(response as unknown as Response, principal);
      response.end();
    };
    await get('/unmatched');
    await recorded(1);
    await get('/no-base');
    expect((await recorded(2)).map((call) => call[3])).toEqual(['unmatched', '/:station/session']);
  });

  it('should measure the latency from the tracking when no middleware stamped the start', async () => {
    server.handler = (request, response) => {
      Object.assign(request, { [REQUEST_STARTED_AT]: undefined });
      sut.track(response as unknown as Response, principal);
      setTimeout(() => response.end(), 30);
    };
    const before = performance.now();
    await get();
    const elapsed = performance.now() - before;
    const latencyMs = (await recorded(1))[0][5] as number;
    expect(latencyMs).toBeGreaterThanOrEqual(25);
    expect(latencyMs).toBeLessThanOrEqual(elapsed);
  });

  it('should record nothing for untracked responses, nor when the publisher is disabled or the principal has no key', async () => {
    server.handler = (request, response) => {
      if (request.url === '/tracked') {
        sut.track(response as unknown as Response, principal);
      } else if (request.url === '/disabled') {
        publisher.enabled = false;
        sut.track(response as unknown as Response, principal);
        publisher.enabled = true;
      } else if (request.url === '/bearer') {
        sut.track(response as unknown as Response, { ...principal, key_id: undefined, auth_method: 'oauth2' });
      }
      response.end();
    };
    // A tracked request first, so the recorder listens to the channel while the others finish.
    await get('/tracked');
    for (const path of ['/untracked', '/disabled', '/bearer']) await get(path);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(publisher.record.mock.calls.map((call) => call[4])).toEqual([200]);
  });

  it('should stop listening at shutdown', async () => {
    let tracked: () => void = () => undefined;
    const trackedOnce = new Promise<void>((resolve) => (tracked = resolve));
    server.handler = (_request, response) => {
      sut.track(response as unknown as Response, principal);
      tracked();
      setTimeout(() => response.end(), 20);
    };
    const pending = get();
    await trackedOnce;
    sut.onApplicationShutdown();
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(publisher.record).not.toHaveBeenCalled();
  });
});
