// Starts a built app (dist/apps/<app>/main.js) as a child process on a free port: shared by the cross-app
// integration tests (test/guard) and the benchmarks (tools/bench). CommonJS so both jest and ESM import it.
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const kafkaPrincipals = require('./stack/lib/kafka-principals.cjs');

const { KAFKA_SUPER_USER, kafkaAppEnv } = kafkaPrincipals;

const ROOT = path.resolve(__dirname, '..');

/**
 * The app's own Kafka principal on the stack's broker, so that tests and benchmarks run under the ACLs. Kept when
 * this process authenticates as another user than the stack's super user (a broker of its own); `env` overrides
 * it (e.g. the super user for a worker reading a topic made for one run).
 */
function stackKafkaEnv(name) {
  const user = process.env.KAFKA_USERNAME;
  return user && user !== KAFKA_SUPER_USER ? {} : kafkaAppEnv(name);
}

/**
 * Ports are picked below the kernel's ephemeral range: a port the kernel hands out (listen on port 0) can be taken
 * by one of the machine's outgoing connections before the caller binds it. The whole range when it is too low.
 */
const EPHEMERAL_LOW = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
const [PORTS_LOW, PORTS_HIGH] = EPHEMERAL_LOW > 12_000 ? [10_000, EPHEMERAL_LOW] : [1024, 65_536];
const handedOut = new Set();

/** A loopback port nobody listens on, never handed out twice by this process (bind it soon). */
async function freePort() {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const port = PORTS_LOW + Math.floor(Math.random() * (PORTS_HIGH - PORTS_LOW));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free loopback port from ${PORTS_LOW} to ${PORTS_HIGH}`);
}

function canListen(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Whether something accepts connections on the loopback port (e.g. an app `npm start` already runs). */
function portAnswers(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A database name of latin letters only (the local Mongo-wire DB's rule), unique per call. */
function uniqueDatabase(prefix) {
  return prefix + [...randomBytes(8)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('');
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Spawns the app with `env` over this process's environment and `nodeArgs` (e.g. --enable-source-maps, which
 * benchmarks leave off), its public and management ports free ones unless `env` sets them (PORT, MANAGEMENT_PORT);
 * resolves once its /health answers, with `url` and `managementUrl` (GET /metrics, the detailed GET /health/ready).
 */
async function startBuiltApp(name, { env = {}, logDir = path.join(ROOT, 'test-output'), nodeArgs = [] } = {}) {
  const main = path.join(ROOT, 'dist', 'apps', name, 'main.js');
  if (!fs.existsSync(main))
    throw new Error(`${name} is not built; run \`npx nx run-many -t build -p key-manager auxip cadip catalog\``);
  // Fixed ports let a caller restart an app where a load balancer expects it.
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const managementPort = env.MANAGEMENT_PORT ? Number(env.MANAGEMENT_PORT) : await freePort();
  const url = `http://127.0.0.1:${port}`;
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}-${port}.log`);
  const log = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeArgs, main], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...stackKafkaEnv(name),
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      PUBLIC_URL: url,
      ...env,
      PORT: String(port),
      MANAGEMENT_PORT: String(managementPort),
    },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const stop = () =>
    new Promise((resolve) => {
      if (exited()) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  const until = async (probe, what, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exited()) throw new Error(`${name} exited while waiting for ${what}:\n${tail(logFile)}`);
      if (await probe()) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${name}: no ${what} within ${timeoutMs} ms:\n${tail(logFile)}`);
  };
  const healthy = () =>
    fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.ok,
      () => false,
    );
  try {
    await until(healthy, 'health', 90_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name,
    url,
    managementUrl: `http://127.0.0.1:${managementPort}`,
    logFile,
    stop,
    kill: (signal) => child.kill(signal),
    exited: new Promise((resolve) => (exited() ? resolve() : child.once('exit', () => resolve()))),
    waitForLog: (text, timeoutMs = 60_000) =>
      until(() => fs.readFileSync(logFile, 'utf8').includes(text), `'${text}' in the log`, timeoutMs),
  };
}

// The stack broker's users, for tests that check what each app's user may do.
module.exports = { ROOT, freePort, kafkaPrincipals, portAnswers, startBuiltApp, tail, uniqueDatabase };
