import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { AppModule } from '../src/app.module';
import { KEY_MANAGER_CONFIG, type KeyManagerConfig } from '../src/config/key-manager.config';
import { configureKeyManager } from '../src/key-manager.setup';

export interface RunningKeyManager {
  app: INestApplication;
  url: string;
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
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    return { app, url, config, close: () => app.close() };
  } finally {
    process.env = saved;
  }
}
