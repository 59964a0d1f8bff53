// A KRaft cluster of N nodes (each broker and controller) beside the stack's single broker: same jars, SASL users,
// ACLs and topics, its own ports and data dir. For the scale-out bench (tools/bench/scale-out), which kills and
// restarts nodes; the stack's broker is never touched.
import fs from 'node:fs';
import path from 'node:path';
import builtApp from '../../built-app.cjs';
import { config, mkdirp, pidAlive, portOpen, randomKafkaUuid, rmrf, sleep, startDetached } from './common.mjs';
import { client, ensureAcls, ensureTopics, kafkaReady, PLATFORM_TOPICS } from './kafka-admin.mjs';
import principals from './kafka-principals.cjs';
import kafka, { brokerCommand, brokerProperties, formatStorage, setScramUsers } from './kafka.mjs';

const { KAFKA_USERS, kafkaDevPassword } = principals;
const { freePort } = builtApp;

async function until(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last === true || last?.ok) return;
    await sleep(250);
  }
  throw new Error(
    `kafka cluster: ${what} not reached within ${timeoutMs} ms${last?.detail ? ` (${last.detail})` : ''}`,
  );
}

/**
 * Starts `nodes` KRaft nodes on free loopback ports under `dir` (wiped first), waits until every one is in the
 * cluster, then creates the stack's SCRAM users, the platform topics (replicated `replicationFactor` times) and
 * ACLs. `extra`: more server.properties lines for every node. Resolves with the cluster's handle; its `stop()`
 * stops every node and removes `dir`. Nodes left running when this process exits are killed.
 */
export async function startKafkaCluster({
  dir,
  nodes = 3,
  replicationFactor = 3,
  minInsyncReplicas = 2,
  extra = [],
  heap = '384m',
  env = process.env,
  timeoutMs = 180_000,
}) {
  const cfg = config(env);
  rmrf(dir);
  mkdirp(dir);
  if (!kafka.provisioned(cfg)) await kafka.provision(cfg, { logFile: path.join(dir, 'provision.log') });
  const members = [];
  for (let id = 1; id <= nodes; id++) {
    const nodeDir = path.join(dir, `node-${id}`);
    members.push({ id, dir: nodeDir, port: await freePort(), controllerPort: await freePort(), process: null });
  }
  const voters = members.map(({ id, controllerPort }) => `${id}@127.0.0.1:${controllerPort}`).join(',');
  const clusterId = randomKafkaUuid();
  await Promise.all(
    members.map(async (member) => {
      member.props = path.join(member.dir, 'server.properties');
      mkdirp(path.join(member.dir, 'kraft'));
      const props = brokerProperties({
        nodeId: member.id,
        port: member.port,
        controllerPort: member.controllerPort,
        voters,
        logDirs: path.join(member.dir, 'kraft'),
        replicationFactor,
        minInsyncReplicas,
        extra,
      });
      fs.writeFileSync(member.props, props, { mode: 0o600 });
      await formatStorage(cfg, {
        props: member.props,
        clusterId,
        cwd: member.dir,
        logFile: path.join(dir, 'format.log'),
      });
    }),
  );

  let starts = 0;
  const launch = (member) => {
    const { cmd, args } = brokerCommand(cfg, member.props, { heap });
    member.process = startDetached(cmd, args, {
      cwd: member.dir,
      env: cfg.env,
      logFile: path.join(dir, `node-${member.id}.${++starts}.log`),
    });
  };
  const signalNode = (member, signal) => {
    if (!member.process) return;
    try {
      process.kill(-member.process.pid, signal);
    } catch {}
  };
  const killAll = () => members.forEach((member) => signalNode(member, 'SIGKILL'));
  process.once('exit', killAll);

  const ports = () => members.filter((member) => member.process).map((member) => member.port);
  const admin = async (fn) => {
    const session = client(ports(), { connectionTimeout: 3000, requestTimeout: 5000 }).admin();
    await session.connect();
    try {
      return await fn(session);
    } finally {
      await session.disconnect().catch(() => undefined);
    }
  };
  const brokerCount = () => admin(async (session) => (await session.describeCluster()).brokers.length).catch(() => 0);

  const handle = {
    clusterId,
    nodes: members,
    /** The bootstrap list of the clients: every node. */
    bootstrap: members.map(({ port }) => `127.0.0.1:${port}`).join(','),
    /** Sends `signal` to a node and waits until it is gone. */
    async kill(id, signal = 'SIGKILL') {
      const member = members[id - 1];
      signalNode(member, signal);
      while (pidAlive(member.process.pid)) await sleep(50);
      member.process = null;
    },
    /** Starts a stopped node again on its ports and data; resolves once it accepts connections. */
    async start(id) {
      const member = members[id - 1];
      launch(member);
      await until(`node ${id} listening`, () => portOpen(member.port), timeoutMs);
    },
    /** The node id leading each partition of `topic`. */
    leaders: (topic) =>
      admin(async (session) => {
        const [{ partitions }] = (await session.fetchTopicMetadata({ topics: [topic] })).topics;
        return Object.fromEntries(partitions.map(({ partitionId, leader }) => [partitionId, leader]));
      }),
    /** Whether every partition of `topics` has all its replicas in sync. */
    inSync: (topics = PLATFORM_TOPICS.map(({ topic }) => topic)) =>
      admin(async (session) =>
        (await session.fetchTopicMetadata({ topics })).topics.every(({ partitions }) =>
          partitions.every(({ replicas, isr }) => isr.length === replicas.length),
        ),
      ).catch(() => false),
    waitInSync: (topics) => until('every replica in sync', () => handle.inSync(topics), timeoutMs),
    async stop() {
      process.removeListener('exit', killAll);
      members.forEach((member) => signalNode(member, 'SIGTERM'));
      const deadline = Date.now() + 20_000;
      while (members.some((member) => member.process && pidAlive(member.process.pid)) && Date.now() < deadline)
        await sleep(200);
      killAll();
      rmrf(dir);
    },
  };

  try {
    members.forEach(launch);
    await until('a group coordinator', () => kafkaReady(members[0].port), timeoutMs);
    await until(`${nodes} brokers registered`, async () => (await brokerCount()) === nodes, timeoutMs);
    const users = KAFKA_USERS.map((user) => ({ user, password: kafkaDevPassword(user) }));
    await setScramUsers(cfg, members[0].port, users, { logFile: path.join(dir, 'scram.log') });
    await ensureTopics(members[0].port, PLATFORM_TOPICS, { replicationFactor });
    await ensureAcls(members[0].port);
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return handle;
}
