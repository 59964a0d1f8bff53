import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Delay before answering, to test concurrency and timeouts. */
  delayMs?: number;
}

export interface CheckedKeyBody {
  user_id: string;
  user_login: string;
  iam_roles: string[];
  config: Record<string, unknown>;
  key_id: string;
  allowed_referers: string[];
  expiration_date: string | null;
  never_expire: boolean;
}

export function acceptedKey(overrides: Partial<CheckedKeyBody> = {}): FakeAnswer {
  return {
    status: 200,
    body: {
      user_id: 'user-bob',
      user_login: 'bob',
      iam_roles: ['rs_cadip_ins_read'],
      config: { project: 's1' },
      key_id: 'key-1',
      allowed_referers: [],
      expiration_date: new Date(Date.now() + 86_400_000).toISOString(),
      never_expire: false,
      ...overrides,
    },
  };
}

/** The key manager's `GET /auth/check_key`, answering what the test says and recording each call. */
export class FakeKeyManager {
  readonly calls: IncomingHttpHeaders[] = [];
  answer: (apiKey: string) => FakeAnswer = () => acceptedKey();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(port = 0): Promise<FakeKeyManager> {
    const holder: { fake?: FakeKeyManager } = {};
    const server = createServer((request, response) => {
      if (!request.url?.startsWith('/auth/check_key')) return void response.writeHead(404).end();
      holder.fake?.calls.push(request.headers);
      const answer = holder.fake?.answer(String(request.headers['x-api-key'] ?? '')) ?? { status: 500 };
      setTimeout(() => {
        response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        response.end(
          answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body),
        );
      }, answer.delayMs ?? 0);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const fake = new FakeKeyManager(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    holder.fake = fake;
    return fake;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
