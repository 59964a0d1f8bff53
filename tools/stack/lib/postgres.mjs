// PostgreSQL (Debian's postgresql package): the storage under the Mongo-wire DB (FerretDB's postgresql backend).
// One cluster per clone in .stack/data/postgres, on loopback only, trust authentication for the `postgres` role.
import fs from 'node:fs';
import path from 'node:path';
import { aptInstall, exists, intEnv, log, mkdirp, runLogged, tcpExchange } from './common.mjs';

const ROLE = 'postgres';

/** The newest installed server's bin directory (POSTGRES_BIN_DIR overrides), or null. */
function binDir(env) {
  if (env.POSTGRES_BIN_DIR) return exists(path.join(env.POSTGRES_BIN_DIR, 'postgres')) ? env.POSTGRES_BIN_DIR : null;
  const root = '/usr/lib/postgresql';
  if (!exists(root)) return null;
  const versions = fs
    .readdirSync(root)
    .filter((v) => exists(path.join(root, v, 'bin', 'postgres')) && exists(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : null;
}

/**
 * PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` system user the Debian
 * package creates. Otherwise it runs as whoever runs the stack.
 */
function serverUser() {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${ROLE}:`));
  if (!line)
    throw new Error(
      `postgres: running as root, and there is no '${ROLE}' system user to run PostgreSQL as (the postgresql package creates it)`,
    );
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A StartupMessage for `postgres`/`postgres` (protocol 3.0). */
function startupMessage() {
  const params = Buffer.from(`user\0${ROLE}\0database\0postgres\0\0`);
  const message = Buffer.alloc(8 + params.length);
  message.writeInt32BE(message.length, 0);
  message.writeInt32BE(196608, 4);
  params.copy(message, 8);
  return message;
}

export default {
  name: 'postgres',
  ports: (cfg) => [intEnv(cfg.env, 'POSTGRES_PORT', 55432)],
  healthTimeoutMs: 60000,

  describe(cfg) {
    return `postgres://${ROLE}@127.0.0.1:${this.ports(cfg)[0]} (PostgreSQL, for FerretDB)`;
  },

  /**
   * The URL FerretDB's postgresql backend connects to. A pool larger than all our clients together: FerretDB
   * deadlocks when a catalog change waits for a connection held by a reader of the catalog (docs/platform-notes.md).
   */
  url(cfg) {
    return `postgres://${ROLE}@127.0.0.1:${this.ports(cfg)[0]}/postgres?pool_max_conns=200`;
  },

  provisioned(cfg) {
    return Boolean(binDir(cfg.env));
  },

  async provision(cfg, { logFile }) {
    if (this.provisioned(cfg)) return;
    if (cfg.env.POSTGRES_BIN_DIR)
      throw new Error(`postgres: POSTGRES_BIN_DIR=${cfg.env.POSTGRES_BIN_DIR} holds no postgres server`);
    await aptInstall('postgres', ['postgresql'], { env: cfg.env, logFile, found: () => Boolean(binDir(cfg.env)) });
  },

  async prepare(cfg, { logFile }) {
    const bin = binDir(cfg.env);
    const user = serverUser();
    const home = mkdirp(path.join(cfg.data, 'postgres'));
    const data = path.join(home, 'data');
    if (!exists(path.join(data, 'PG_VERSION'))) {
      fs.rmSync(data, { recursive: true, force: true }); // a half-done initdb
      // initdb creates `data` inside `home` as the server user; everything under it is then that user's.
      if (user) fs.chownSync(home, user.uid, user.gid);
      log(`postgres: creating a cluster in ${path.relative(cfg.cwd, data) || data}`);
      await runLogged(
        'postgres',
        path.join(bin, 'initdb'),
        ['-D', data, '-U', ROLE, '--auth=trust', '--encoding=UTF8', '--no-locale'],
        {
          cwd: home,
          env: cfg.env,
          logFile,
          user,
        },
      );
    }
    const [port] = this.ports(cfg);
    return {
      cmd: path.join(bin, 'postgres'),
      args: [
        '-D',
        data,
        '-c',
        `port=${port}`,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        // FerretDB opens a pool per client user and database; every app and test suite is a client.
        '-c',
        'max_connections=300',
      ],
      cwd: home,
      env: cfg.env,
      user,
      match: `port=${port}`,
    };
  },

  async probe(cfg) {
    // The first answer to a startup message: 'R' + AuthenticationOk (trust) once the server accepts
    // connections, 'E' while it starts or recovers.
    const reply = await tcpExchange(this.ports(cfg)[0], startupMessage(), (b) =>
      b.length >= 5 && b.length >= 1 + b.readInt32BE(1) ? 1 + b.readInt32BE(1) : 0,
    );
    if (reply[0] === 0x52 && reply.readInt32BE(5) === 0) return { ok: true, detail: 'accepts connections' };
    const text = reply
      .subarray(5)
      .toString('utf8')
      .split('\0')
      .find((field) => field.startsWith('M'));
    return { ok: false, detail: text ? text.slice(1) : `answered '${String.fromCharCode(reply[0])}'` };
  },
};
