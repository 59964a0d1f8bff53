// Production refuses development settings: a built app started with NODE_ENV=production and a development secret
// exits at once, naming the variable; the production realm file keeps none of the development realm's shortcuts.
// Needs the built key manager (`npx nx run-many -t build -p key-manager`).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

/** Runs the built app with `env`; resolves with its exit code and output once it exits (or kills it at 60 s). */
function runBuilt(app: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const main = path.join(ROOT, 'dist', 'apps', app, 'main.js');
  if (!existsSync(main)) throw new Error(`${app} is not built; run \`npx nx run-many -t build -p ${app}\``);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main], { cwd: ROOT, env: { ...process.env, PORT: '0', ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('NODE_ENV=production', () => {
  it('should refuse to start the key manager on development secrets, listing each variable', async () => {
    const { code, output } = await runBuilt('key-manager', {
      NODE_ENV: 'production',
      KEYCLOAK_SYNC_CLIENT_SECRET: 'rs-key-manager-dev-secret',
      API_KEY_HASH_SECRET: 'change-me-development-only-hash-secret',
    });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output).toContain('KEYCLOAK_SYNC_CLIENT_SECRET holds a known development secret');
    expect(output).toContain('API_KEY_HASH_SECRET holds a known development secret');
  });
});

describe('docker/keycloak/rs-server-realm.production.json', () => {
  interface Client {
    clientId: string;
    secret?: string;
    directAccessGrantsEnabled?: boolean;
    redirectUris?: string[];
  }
  const realm = JSON.parse(
    readFileSync(path.join(ROOT, 'docker', 'keycloak', 'rs-server-realm.production.json'), 'utf8'),
  ) as {
    realm: string;
    bruteForceProtected?: boolean;
    adminEventsEnabled?: boolean;
    adminEventsDetailsEnabled?: boolean;
    clients: Client[];
    users?: Array<{ username: string; serviceAccountClientId?: string; credentials?: unknown[] }>;
  };

  it('should be the rs-server realm with brute-force protection and admin events on', () => {
    expect(realm).toMatchObject({
      realm: 'rs-server',
      bruteForceProtected: true,
      adminEventsEnabled: true,
      adminEventsDetailsEnabled: true,
    });
  });

  it('should hold no demo user, only service accounts, and no client secret', () => {
    expect((realm.users ?? []).filter((user) => !user.serviceAccountClientId)).toEqual([]);
    expect((realm.users ?? []).some((user) => user.credentials)).toBe(false);
    expect(realm.clients.filter((client) => client.secret)).toEqual([]);
  });

  it('should have no password-grant client and only exact redirect URIs', () => {
    expect(realm.clients.filter((client) => client.directAccessGrantsEnabled)).toEqual([]);
    const redirects = realm.clients.flatMap((client) => client.redirectUris ?? []);
    expect(redirects.length).toBeGreaterThan(0);
    expect(redirects.filter((uri) => uri.includes('*') || !uri.startsWith('https://'))).toEqual([]);
  });
});
