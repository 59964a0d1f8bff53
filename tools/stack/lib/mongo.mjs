// Mongo-wire DB: FerretDB v1 built from source into the cache, on its PostgreSQL backend (lib/postgres.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import {
  exists,
  fmtMs,
  readText,
  intEnv,
  log,
  mkdirp,
  portOpen,
  publishDir,
  rmrf,
  runLogged,
  ticker,
  tmpSibling,
  which,
  withLock,
} from './common.mjs';
import postgres from './postgres.mjs';

export const FERRETDB_VERSION = 'v1.24.2';
const MODULE_ROOT = 'github.com/FerretDB/FerretDB';

function makeWritable(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    fs.chmodSync(p, e.isDirectory() ? 0o755 : 0o644);
    if (e.isDirectory()) makeWritable(p);
  }
  fs.chmodSync(dir, 0o755);
}

function paths(cfg) {
  const home = path.join(cfg.cache, `ferretdb-${FERRETDB_VERSION.replace(/^v/, '')}`);
  return { home, bin: path.join(home, 'bin', 'ferretdb'), data: path.join(cfg.data, 'mongo') };
}

function goBin(env) {
  return which('go', env) || (exists('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
}

/** Readiness: `hello` answers (wire versions) and `ping` succeeds, which FerretDB answers only once PostgreSQL does. */
async function mongoReady(port, { timeoutMs = 3000 } = {}) {
  // the driver retries server selection until its timeout: answer at once while nothing listens yet
  if (!(await portOpen(port, '127.0.0.1', timeoutMs))) return { ok: false, detail: 'not listening' };
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, {
    appName: 'rs-stack-health',
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs,
    maxPoolSize: 1,
  });
  try {
    const admin = client.db('admin');
    const hello = await admin.command({ hello: 1 });
    await admin.command({ ping: 1 });
    return { ok: true, detail: `wire versions ${hello.minWireVersion}..${hello.maxWireVersion}` };
  } catch (e) {
    return { ok: false, detail: e.message };
  } finally {
    await client.close().catch(() => {});
  }
}

export default {
  name: 'mongo',
  requires: ['postgres'],
  ports: (cfg) => [intEnv(cfg.env, 'MONGO_PORT', 27017)],
  healthTimeoutMs: 60000,

  describe(cfg) {
    return `mongodb://127.0.0.1:${this.ports(cfg)[0]} (FerretDB ${FERRETDB_VERSION} on PostgreSQL)`;
  },

  provisioned(cfg) {
    const p = paths(cfg);
    return exists(p.bin) && readText(path.join(p.home, 'VERSION'), '').trim() === FERRETDB_VERSION;
  },

  async provision(cfg, { logFile }) {
    const p = paths(cfg);
    await withLock(path.join(cfg.cache, '.locks', 'ferretdb'), 'mongo', async () => {
      if (this.provisioned(cfg)) return;
      rmrf(p.home); // an incomplete or broken earlier build
      const go = goBin(cfg.env);
      if (!go) throw new Error('mongo: Go is not installed (FerretDB is built with `go install`, Go >= 1.24)');
      log(`mongo: building FerretDB ${FERRETDB_VERSION} from source into ${p.home} (cold: a few minutes on 2 cores)`);
      const tmp = tmpSibling(p.home);
      let downloads = 0;
      let built = 0;
      let last = '';
      let total = 0;
      let phase = 'go mod download';
      const t = ticker(
        'mongo',
        () =>
          `${phase}: ${downloads} modules downloaded, ${built}${total ? `/${total}` : ''} packages compiled${last ? `, last ${last}` : ''}`,
        10000,
      );
      const onLine = (l) => {
        if (l.startsWith('go: downloading')) downloads++;
        else if (/^[\w.-]+(\/[\w.~-]+)*$/.test(l.trim())) {
          built++;
          last = l.trim();
        }
      };
      try {
        // `go install` gives a binary that panics at start: build/version/version.txt is generated from git and
        // missing from the module zip. So build a copy of the module's source with that file written.
        let json = '';
        await runLogged('mongo', go, ['mod', 'download', '-json', `${MODULE_ROOT}@${FERRETDB_VERSION}`], {
          cwd: tmp,
          env: { ...cfg.env, GOFLAGS: '' },
          logFile,
          onLine: (l) => {
            json += l + '\n';
          },
        });
        const dir = JSON.parse(json.slice(json.indexOf('{'))).Dir;
        if (!dir || !exists(path.join(dir, 'go.mod')))
          throw new Error(`mongo: go mod download gave no module dir (${json.slice(0, 300)})`);
        const src = path.join(tmp, 'src');
        fs.cpSync(dir, src, { recursive: true });
        makeWritable(src);
        fs.writeFileSync(path.join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
        fs.writeFileSync(path.join(src, 'build', 'version', 'package.txt'), 'rs-stack\n');
        phase = 'go list -deps';
        await runLogged('mongo', go, ['list', '-deps', './cmd/ferretdb'], {
          cwd: src,
          env: { ...cfg.env, GOFLAGS: '-mod=readonly', GOWORK: 'off' },
          logFile,
          onLine: (l) => {
            if (l.startsWith('go: downloading')) downloads++;
            else if (l.trim()) total++;
          },
        });
        phase = 'go build';
        await runLogged(
          'mongo',
          go,
          ['build', '-v', '-trimpath', '-buildvcs=false', '-o', path.join(tmp, 'bin', 'ferretdb'), './cmd/ferretdb'],
          {
            cwd: src,
            env: { ...cfg.env, GOFLAGS: '-mod=readonly', GOWORK: 'off' },
            logFile,
            onLine,
          },
        );
        if (!exists(path.join(tmp, 'bin', 'ferretdb')))
          throw new Error('mongo: go build finished but bin/ferretdb is missing');
        rmrf(src);
        fs.writeFileSync(path.join(tmp, 'VERSION'), `${FERRETDB_VERSION}\n`);
        publishDir(tmp, p.home);
      } catch (e) {
        rmrf(tmp);
        throw e;
      } finally {
        t.stop();
      }
      log(
        `mongo: FerretDB built in ${fmtMs(t.elapsed())} (${downloads} modules downloaded, ${built} packages compiled)`,
      );
    });
  },

  async prepare(cfg) {
    const p = paths(cfg);
    const [port] = this.ports(cfg);
    // PostgreSQL rather than FerretDB's SQLite backend: faster updates and concurrent writers (docs/usage-pipeline.md).
    // FerretDB connects lazily: until PostgreSQL answers, `ping` fails and the probe waits.
    const url = postgres.url(cfg);
    mkdirp(p.data); // state directory (FerretDB keeps its state.json there)
    return {
      cmd: p.bin,
      args: [
        '--handler=postgresql',
        `--postgresql-url=${url}`,
        `--listen-addr=127.0.0.1:${port}`,
        `--state-dir=${p.data}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=info',
      ],
      cwd: p.data,
      env: cfg.env,
      match: `--listen-addr=127.0.0.1:${port}`,
    };
  },

  probe(cfg) {
    return mongoReady(this.ports(cfg)[0]);
  },
};
