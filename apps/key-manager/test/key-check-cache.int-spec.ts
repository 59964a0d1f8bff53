import { generateApiKey } from '@rs/key-domain';
import { dropDatabases, eventually, stackEndpoints, userToken } from '@rs/testing';
import { KeyRecordCache } from '../src/check/key-record-cache';
import { keyManagerCaller, type RunningKeyManager, startKeyManager, uniqueDatabaseName } from './key-manager.harness';

// Two replicas on one database: each caches key records, and lifecycle events keep both correct.
const database = uniqueDatabaseName('rskeyscache');
let replicas: RunningKeyManager[] = [];
let token: string;

const { call } = keyManagerCaller('10.23');
const check = (km: RunningKeyManager, key: string) => call(km, '/auth/check_key', { apiKey: key });

async function manage(km: RunningKeyManager, pathAndQuery: string) {
  const response = await call(km, pathAndQuery, { token });
  expect(response.status).toBe(200);
  return response.body;
}

const cacheOf = (km: RunningKeyManager) => km.app.get(KeyRecordCache);

beforeAll(async () => {
  for (let i = 0; i < 2; i++)
    replicas.push(await startKeyManager({ MONGO_URL: stackEndpoints.mongoUrl(database), CHECK_FAILURE_LIMIT: '1000' }));
  token = await userToken('alice');
  await eventually(() => {
    if (!replicas.every((km) => cacheOf(km).isLive())) throw new Error('lifecycle events not flowing yet');
  }, 30_000);
});

afterAll(async () => {
  await Promise.all(replicas.map((km) => km.close()));
  await dropDatabases(database);
  replicas = [];
});

describe('the key manager’s cache of key records', () => {
  it('should refuse a revoked key at once on the replica that revoked it and within 1 s on another', async () => {
    const [a, b] = replicas;
    const key = (await manage(a, `/auth/api_key/new?name=cached-${Date.now()}`)) as string;
    const keyId = (await check(a, key)).body.key_id as string;
    expect((await check(b, key)).status).toBe(200);
    const cachedBefore = replicas.map((km) => cacheOf(km).size);
    expect((await check(a, key)).status).toBe(200);
    expect((await check(b, key)).status).toBe(200);
    // Served from the cache: nothing new stored.
    expect(replicas.map((km) => cacheOf(km).size)).toEqual(cachedBefore);
    expect(cachedBefore.every((size) => size > 0)).toBe(true);

    await manage(a, `/auth/api_key/revoke?id=${keyId}`);
    const revokedAt = Date.now();
    expect((await check(a, key)).body).toMatchObject({ code: 'KEY_REVOKED' });
    await eventually(
      async () => {
        const answer = await check(b, key);
        if (answer.body.code !== 'KEY_REVOKED') throw new Error(`replica B still answers ${answer.status}`);
      },
      5_000,
      10,
    );
    expect(Date.now() - revokedAt).toBeLessThan(1_000);

    // Reactivated by its owner through the other replica: both accept it again.
    await manage(b, `/auth/api_key/renew?id=${keyId}`);
    await eventually(
      async () => {
        const answers = await Promise.all(replicas.map((km) => check(km, key)));
        if (answers.some((answer) => answer.status !== 200)) throw new Error('not accepted everywhere yet');
      },
      5_000,
      10,
    );
  });

  it('should accept a key created on one replica on every replica', async () => {
    const key = (await manage(replicas[0], `/auth/api_key/new?name=fresh-${Date.now()}`)) as string;
    for (const km of replicas) expect((await check(km, key)).status).toBe(200);
  });

  it('should keep refusing an unknown key', async () => {
    const unknown = generateApiKey();
    for (let i = 0; i < 3; i++) expect((await check(replicas[0], unknown)).body).toMatchObject({ code: 'KEY_INVALID' });
  });
});
