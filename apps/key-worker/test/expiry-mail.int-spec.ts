import { KEY_LIFECYCLE_TOPIC, type KeyLifecycleEventV1 } from '@rs/event-contracts';
import { createUser, deleteUser, eventually, recordTopic, stackEndpoints, type TopicRecorder } from '@rs/testing';
import { randomUUID } from 'node:crypto';
import { distinctLifecycleEvents, newRun, RunFixtures, storedKey, WorkerProcess } from './key-worker.harness';

const DAY = 24 * 3_600_000;
const PORTAL_URL = 'https://rs.example.org/portal';

/** A message as the stack's mailbox serves it (tools/stack/lib/smtp-mailbox.mjs). */
interface ReceivedMail {
  envelope: { from: string; to: string[] };
  from: string;
  subject: string;
  text: string;
}

const mailbox = {
  async of(address: string): Promise<ReceivedMail[]> {
    const response = await fetch(`${stackEndpoints.mailboxUrl}/messages?to=${encodeURIComponent(address)}`);
    if (!response.ok) throw new Error(`mailbox answered ${response.status}`);
    return (await response.json()) as ReceivedMail[];
  },
  async clear(address: string): Promise<void> {
    await fetch(`${stackEndpoints.mailboxUrl}/messages?to=${encodeURIComponent(address)}`, { method: 'DELETE' });
  },
};

describe('key-worker expiry notices by e-mail (real SMTP server, Keycloak, Kafka, Mongo-wire DB and Redis)', () => {
  const run = newRun('kwmail');
  const fixtures = new RunFixtures(run);
  const workers: WorkerProcess[] = [];
  const users: string[] = [];
  let lifecycle: TopicRecorder<KeyLifecycleEventV1>;
  const keys = () => fixtures.db.collection<{ _id: string }>('api_keys');
  const pendingMails = () => fixtures.db.collection<{ _id: string }>('expiring_notice_mails');
  const expiringEvents = (keyId: string) => distinctLifecycleEvents(lifecycle, keyId, 'expiring');

  /** A Keycloak user with a unique address (its own mailbox), and a key of theirs expiring in `in` ms. */
  const ownerWithKey = async (expiresIn: number, name = 'nightly ingest') => {
    const suffix = randomUUID().slice(0, 8);
    const email = `kw-mail-${suffix}@example.com`;
    const username = `kw-mail-${suffix}`;
    const userId = await createUser(username, randomUUID(), [], { email });
    users.push(username);
    const expiresAt = new Date(Date.now() + expiresIn);
    const key = storedKey({
      hint: `rsk_${suffix.slice(0, 4)}…`,
      name,
      user_id: userId,
      user_login: username,
      expiration_date: expiresAt,
    });
    await keys().insertOne(key);
    return { email, key, expiresAt };
  };
  const startWorker = async (env: Record<string, string>) => {
    const worker = await WorkerProcess.start(run, {
      EXPIRING_NOTICE_EVERY_MS: '300',
      EXPIRING_NOTICE_DAYS: '3',
      ...env,
    });
    workers.push(worker);
    return worker;
  };
  const smtpEnv = (port = stackEndpoints.smtpPort) => ({
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(port),
    SMTP_SECURITY: 'none',
    SMTP_FROM: 'RS-Server API keys <no-reply@example.org>',
    SMTP_TIMEOUT_MS: '2000',
    PORTAL_URL,
  });

  beforeAll(async () => {
    lifecycle = await recordTopic<KeyLifecycleEventV1>(KEY_LIFECYCLE_TOPIC);
  }, 60_000);

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  }, 60_000);

  afterAll(async () => {
    await lifecycle?.stop();
    await Promise.all(users.map((username) => deleteUser(username).catch(() => undefined)));
    await fixtures.cleanUp();
  }, 60_000);

  it('should send the owner one message naming the key, its hint and end date, at the address Keycloak holds', async () => {
    const { email, key, expiresAt } = await ownerWithKey(DAY);
    const later = await ownerWithKey(10 * DAY);
    const worker = await startWorker(smtpEnv());
    await eventually(async () => expect(await mailbox.of(email)).toHaveLength(1), 30_000, 200).catch((error: Error) => {
      throw new Error(`${error.message}\nworker log:\n${worker.logs().slice(-4000)}`);
    });
    // More runs send nothing more.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [mail] = await mailbox.of(email);
    expect(await mailbox.of(email)).toHaveLength(1);
    expect(mail.envelope).toEqual({ from: 'no-reply@example.org', to: [email] });
    expect(mail.from).toBe('"RS-Server API keys" <no-reply@example.org>');
    const end = expiresAt.toISOString();
    expect(mail.subject).toBe(`Your RS-Server API key "nightly ingest" expires on ${end.slice(0, 10)}`);
    expect(mail.text).toContain(`"nightly ingest" (${key.hint}) expires on ${end.slice(0, 16).replace('T', ' ')} UTC`);
    expect(mail.text).toContain(PORTAL_URL);
    expect(mail.text).not.toContain(key.hash);
    expect(expiringEvents(key._id)).toBe(1);
    expect(await mailbox.of(later.email)).toEqual([]);
    expect(await pendingMails().countDocuments({})).toBe(0);
    expect(await worker.metric('key_worker_expiring_notice_mails_total', 'outcome="sent"')).toBe(1);
  }, 90_000);

  it('should publish the notice while the relay is away and send the mail once it is back', async () => {
    const { email, key } = await ownerWithKey(DAY, 'relay outage');
    // Nothing listens on port 1 on loopback: every attempt is refused.
    const down = await startWorker(smtpEnv(1));
    await eventually(() => expect(expiringEvents(key._id)).toBe(1), 30_000, 200);
    await eventually(
      async () =>
        expect(await down.metric('key_worker_expiring_notice_mails_total', 'outcome="failed"')).toBeGreaterThan(0),
      30_000,
      200,
    );
    expect(await pendingMails().countDocuments({ key_id: key._id })).toBe(1);
    await down.stop();

    await startWorker(smtpEnv());
    await eventually(async () => expect(await mailbox.of(email)).toHaveLength(1), 30_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await mailbox.of(email)).toHaveLength(1);
    expect(expiringEvents(key._id)).toBe(1);
    expect(await pendingMails().countDocuments({ key_id: key._id })).toBe(0);
  }, 120_000);

  it('should keep the notice an event only when SMTP is not configured', async () => {
    const { email, key } = await ownerWithKey(DAY, 'event only');
    const worker = await startWorker({});
    await eventually(() => expect(expiringEvents(key._id)).toBe(1), 30_000, 200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await mailbox.of(email)).toEqual([]);
    expect(await pendingMails().countDocuments({})).toBe(0);
    expect(await worker.metric('key_worker_expiring_notice_mails_total')).toBe(0);
    await mailbox.clear(email);
  }, 60_000);
});
