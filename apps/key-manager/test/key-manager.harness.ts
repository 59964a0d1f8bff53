import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { listenWithManagement } from '@rs/service-kit';
import { randomBytes } from 'node:crypto';
import { AppModule } from '../src/app.module';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig } from '../src/config/key-manager.config';
import { configureKeyManager } from '../src/key-manager.setup';

export interface RunningKeyManager {
  app: INestApplication;
  url: string;
  /** The management listener: GET /metrics and the detailed GET /health/ready. */
  managementUrl: string;
  config: KeyManagerConfig;
  close: () => Promise<void>;
}

/** A database name of latin letters only (the local Mongo-wire DB's rule), unique per call. */
export function uniqueDatabaseName(prefix: string): string {
  return prefix + [...randomBytes(8)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('');
}

/**
 * Boots the real key manager in this process against the real services, with `env` on top of the defaults. The
 * tests speak as a reverse proxy on loopback (TRUST_PROXY), so each can pose as its own client with X-Forwarded-For.
 */
export async function startKeyManager(env: Record<string, string>): Promise<RunningKeyManager> {
  const saved = { ...process.env };
  Object.assign(process.env, { TRUST_PROXY: 'loopback' }, env);
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    const config = app.get<KeyManagerConfig>(KEY_MANAGER_CONFIG);
    configureKeyManager(app, config);
    const { url, managementUrl } = await listenWithManagement(app, { HOST: '127.0.0.1', PORT: 0 });
    return { app, url, managementUrl, config, close: () => app.close() };
  } finally {
    process.env = saved;
  }
}

export interface KeyManagerCall {
  /** A Keycloak access token, sent as the bearer. */
  token?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** The client address (X-Forwarded-For); a new one per call by default. */
  ip?: string;
}

/**
 * GET calls to a key manager of startKeyManager, each from its own client address under `ipPrefix` (one prefix per
 * spec file), so failure throttling of one call does not leak into another. The body is parsed when it is JSON.
 */
export function keyManagerCaller(ipPrefix: string) {
  let calls = 0;
  const nextIp = () => {
    calls += 1;
    return `${ipPrefix}.${Math.floor(calls / 250)}.${calls % 250}`;
  };
  const call = async (km: RunningKeyManager, path: string, init: KeyManagerCall = {}) => {
    const headers: Record<string, string> = { 'x-forwarded-for': init.ip ?? nextIp(), ...init.headers };
    if (init.token) headers['authorization'] = `Bearer ${init.token}`;
    if (init.apiKey) headers['x-api-key'] = init.apiKey;
    const response = await fetch(`${km.url}${path}`, { headers });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // HTML (Swagger UI, portal) or Prometheus text
    }
    // Each test reads the fields it asserts.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, body: body as any, headers: response.headers };
  };
  return { call, nextIp };
}
