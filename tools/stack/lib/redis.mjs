// Redis: Debian redis-server, run in the foreground (we own the process), no persistence.
import path from 'node:path';
import { aptInstall, exists, intEnv, log, mkdirp, tcpExchange, which } from './common.mjs';

function redisBin(env) {
  if (env.REDIS_SERVER) return exists(env.REDIS_SERVER) ? env.REDIS_SERVER : null;
  return (
    which('redis-server', env) ||
    ['/usr/bin/redis-server', '/usr/sbin/redis-server', '/usr/local/bin/redis-server'].find(exists) ||
    null
  );
}

/** One RESP command, returns the raw first reply line. */
async function redisCommand(port, ...parts) {
  const payload = `*${parts.length}\r\n` + parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('');
  const resp = await tcpExchange(port, Buffer.from(payload), (b) => {
    const i = b.indexOf('\r\n');
    return i >= 0 ? i + 2 : 0;
  });
  return resp.toString().trim();
}

export default {
  name: 'redis',
  ports: (cfg) => [intEnv(cfg.env, 'REDIS_PORT', 6379)],
  healthTimeoutMs: 30000,

  describe(cfg) {
    return `redis://127.0.0.1:${this.ports(cfg)[0]}`;
  },

  provisioned(cfg) {
    return Boolean(redisBin(cfg.env));
  },

  async provision(cfg, { logFile }) {
    if (this.provisioned(cfg)) return;
    if (cfg.env.REDIS_SERVER) throw new Error(`redis: REDIS_SERVER=${cfg.env.REDIS_SERVER} is not an executable`);
    await aptInstall('redis', ['redis-server'], { env: cfg.env, logFile, found: () => Boolean(redisBin(cfg.env)) });
    log(
      'redis: installed redis-server (if your system started the packaged redis service on 6379, `up` reuses it without owning it)',
    );
  },

  async prepare(cfg) {
    const [port] = this.ports(cfg);
    const data = mkdirp(path.join(cfg.data, 'redis'));
    return {
      cmd: redisBin(cfg.env),
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--dir',
        data,
        '--logfile',
        '',
        '--protected-mode',
        'yes',
      ],
      cwd: data,
      env: cfg.env,
      match: 'redis-server', // redis rewrites its title to 'redis-server 127.0.0.1:<port>'
    };
  },

  async probe(cfg) {
    const reply = await redisCommand(this.ports(cfg)[0], 'PING');
    return reply === '+PONG' ? { ok: true, detail: 'PONG' } : { ok: false, detail: `PING answered ${reply}` };
  },
};
