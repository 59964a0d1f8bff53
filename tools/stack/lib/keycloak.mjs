// Keycloak: keycloak-quarkus-dist zip from Maven, unpacked and pre-built ("kc.sh build") once in the cache,
// then started per clone with `start --optimized` and a per-clone home (H2 file DB, import dir, tx logs)
// under .stack/data/keycloak, realm imported from docker/keycloak/rs-server-realm.json.
import fs from 'node:fs';
import path from 'node:path';
import {
  STACK_SRC,
  exists,
  fmtMs,
  intEnv,
  log,
  mkdirp,
  publishDir,
  readText,
  rmrf,
  runLogged,
  sha256,
  ticker,
  tmpSibling,
  withLock,
} from './common.mjs';
import { DEPENDENCY_PLUGIN, mvn } from './maven.mjs';

export const KEYCLOAK_VERSION = '26.7.3';
export const REALM = 'rs-server';
const DEFAULT_REALM_FILE = path.join(
  path.dirname(path.dirname(STACK_SRC)),
  'docker',
  'keycloak',
  'rs-server-realm.json',
);
const realmFile = (env) => path.resolve(env.KEYCLOAK_REALM_FILE || DEFAULT_REALM_FILE);
// Build-time options baked into the cached dist by `kc.sh build` (changing them triggers a rebuild).
const BUILD_OPTIONS = ['--db=dev-file', '--health-enabled=false', '--metrics-enabled=false'];
const HOME_LINKS = ['bin', 'conf', 'lib', 'providers', 'themes'];

function paths(cfg) {
  const dist = path.join(cfg.cache, `keycloak-${KEYCLOAK_VERSION}`);
  const data = path.join(cfg.data, 'keycloak');
  const home = path.join(data, 'home');
  return {
    dist,
    buildMarker: path.join(dist, '.rs-stack-build.json'),
    data,
    home,
    homeData: path.join(home, 'data'),
    importDir: path.join(home, 'data', 'import'),
    realmHashFile: path.join(data, 'realm.sha256'),
  };
}

function javaMajor(javaHome) {
  const rel = readText(path.join(javaHome, 'release'), '');
  const m = rel.match(/JAVA_VERSION="(\d+)/);
  return m ? Number(m[1]) : 0;
}

/** KEYCLOAK_JAVA_HOME, else the Temurin 25 JDK, else the newest JDK >= 21 under /usr/lib/jvm. */
export function keycloakJavaHome(env) {
  if (env.KEYCLOAK_JAVA_HOME) return env.KEYCLOAK_JAVA_HOME;
  const preferred = '/usr/lib/jvm/temurin-25-jdk-amd64';
  if (exists(path.join(preferred, 'bin', 'java'))) return preferred;
  let dirs = [];
  try {
    dirs = fs.readdirSync('/usr/lib/jvm').map((d) => path.join('/usr/lib/jvm', d));
  } catch {}
  const candidates = dirs
    .filter((d) => exists(path.join(d, 'bin', 'java')))
    .map((d) => ({ d, v: javaMajor(d), temurin25: /temurin-25/.test(d) }))
    .filter((c) => c.v >= 21)
    .sort((a, b) => b.temurin25 - a.temurin25 || b.v - a.v);
  if (candidates.length) return candidates[0].d;
  if (env.JAVA_HOME && javaMajor(env.JAVA_HOME) >= 21) return env.JAVA_HOME;
  throw new Error('keycloak: no JDK >= 21 found (Keycloak 26.7 wants 21 or 25); set KEYCLOAK_JAVA_HOME');
}

function buildFingerprint() {
  return JSON.stringify({ version: KEYCLOAK_VERSION, options: BUILD_OPTIONS });
}
function builtAsWanted(markerFile) {
  try {
    const m = JSON.parse(readText(markerFile, ''));
    return m.version === KEYCLOAK_VERSION && JSON.stringify(m.options) === JSON.stringify(BUILD_OPTIONS);
  } catch {
    return false;
  }
}

export function keycloakUrls(cfg) {
  const port = intEnv(cfg.env, 'KEYCLOAK_PORT', 8180);
  const base = `http://127.0.0.1:${port}`;
  return {
    port,
    base,
    issuer: `${base}/realms/${REALM}`,
    wellKnown: `${base}/realms/${REALM}/.well-known/openid-configuration`,
  };
}

export default {
  name: 'keycloak',
  ports: (cfg) => [keycloakUrls(cfg).port],
  healthTimeoutMs: 300000,

  describe(cfg) {
    return `${keycloakUrls(cfg).issuer} (admin ${cfg.env.KEYCLOAK_ADMIN_USER || 'admin'})`;
  },

  provisioned(cfg) {
    const p = paths(cfg);
    return exists(path.join(p.dist, 'lib', 'quarkus-run.jar')) && builtAsWanted(p.buildMarker);
  },

  async provision(cfg, { logFile }) {
    const p = paths(cfg);
    const javaHome = keycloakJavaHome(cfg.env);
    await withLock(path.join(cfg.cache, '.locks', 'keycloak'), 'keycloak', async () => {
      if (this.provisioned(cfg)) return;
      if (!exists(path.join(p.dist, 'lib', 'quarkus-run.jar'))) {
        log(`keycloak: unpacking keycloak-quarkus-dist ${KEYCLOAK_VERSION} (zip, ~150 MB) with Maven into ${p.dist}`);
        const tmp = tmpSibling(p.dist);
        try {
          await mvn(
            'keycloak',
            [
              `${DEPENDENCY_PLUGIN}:unpack`,
              `-Dartifact=org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip`,
              `-DoutputDirectory=${tmp}`,
              `-DmarkersDirectory=${path.join(tmp, '.markers')}`,
            ],
            { cwd: tmp, logFile },
          );
          const unpacked = path.join(tmp, `keycloak-${KEYCLOAK_VERSION}`);
          if (!exists(path.join(unpacked, 'bin', 'kc.sh')))
            throw new Error('keycloak: unpack finished but bin/kc.sh is missing');
          for (const f of fs.readdirSync(path.join(unpacked, 'bin'))) {
            if (f.endsWith('.sh')) fs.chmodSync(path.join(unpacked, 'bin', f), 0o755);
          }
          publishDir(unpacked, p.dist);
        } finally {
          rmrf(tmp);
        }
      }
      log(
        `keycloak: 'kc.sh build ${BUILD_OPTIONS.join(' ')}' (optimized server image, once per cache; JAVA_HOME=${javaHome})`,
      );
      rmrf(p.buildMarker);
      const t = ticker('keycloak', () => 'kc.sh build (Quarkus augmentation)', 10000);
      try {
        await runLogged('keycloak build', path.join(p.dist, 'bin', 'kc.sh'), ['build', ...BUILD_OPTIONS], {
          cwd: p.dist,
          env: { ...cfg.env, JAVA_HOME: javaHome },
          logFile,
        });
      } finally {
        t.stop();
      }
      fs.writeFileSync(p.buildMarker, buildFingerprint());
      log(`keycloak: build done in ${fmtMs(t.elapsed())}`);
    });
  },

  async prepare(cfg) {
    const p = paths(cfg);
    const { port, base } = keycloakUrls(cfg);
    const javaHome = keycloakJavaHome(cfg.env);
    const file = realmFile(cfg.env);
    const realm = fs.readFileSync(file);
    try {
      if (JSON.parse(realm).realm !== REALM) throw new Error(`its "realm" is not "${REALM}"`);
    } catch (e) {
      throw new Error(`realm file ${file}: ${e.message}`); // fail early on a broken realm file
    }
    // Per-clone home: symlinks into the cached dist + a real data/ dir (H2 DB, import dir, tx logs, tmp).
    mkdirp(p.home);
    for (const l of HOME_LINKS) {
      const link = path.join(p.home, l);
      const target = path.join(p.dist, l);
      let cur = null;
      try {
        cur = fs.readlinkSync(link);
      } catch {}
      if (cur !== target) {
        rmrf(link);
        fs.symlinkSync(target, link);
      }
    }
    // The realm is imported only into an empty DB: wipe the DB when the realm file (or Keycloak) changed.
    const adminUser = cfg.env.KEYCLOAK_ADMIN_USER || 'admin';
    const adminPassword = cfg.env.KEYCLOAK_ADMIN_PASSWORD || 'admin';
    // the bootstrap admin is created only in a fresh DB too, so it is part of the fingerprint
    const wanted = sha256(realm, KEYCLOAK_VERSION, adminUser, adminPassword);
    const have = readText(p.realmHashFile, '').trim();
    if (have !== wanted && exists(p.homeData)) {
      log(
        `keycloak: ${have ? 'realm file changed' : 'no realm fingerprint'}; wiping ${p.homeData} so the realm is re-imported (new signing keys: restart apps that cache JWKS)`,
      );
      rmrf(p.homeData);
      rmrf(p.realmHashFile);
    }
    mkdirp(p.importDir);
    for (const f of fs.readdirSync(p.importDir)) rmrf(path.join(p.importDir, f));
    fs.writeFileSync(path.join(p.importDir, 'rs-server-realm.json'), realm);
    this._pendingHash = wanted;
    return {
      cmd: path.join(p.dist, 'bin', 'kc.sh'),
      args: [
        'start',
        '--optimized',
        '--cache=local',
        '--http-enabled=true',
        '--http-host=127.0.0.1',
        `--http-port=${port}`,
        `--hostname=${base}`,
        '--import-realm',
        '--log-console-color=false',
        `-Dkc.home.dir=${p.home}`,
      ],
      cwd: p.data,
      env: {
        ...cfg.env,
        JAVA_HOME: javaHome,
        KC_BOOTSTRAP_ADMIN_USERNAME: adminUser,
        KC_BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
      },
      match: `-Dkc.home.dir=${p.home}`,
    };
  },

  async probe(cfg) {
    const { wellKnown, issuer } = keycloakUrls(cfg);
    const res = await fetch(wellKnown, { signal: AbortSignal.timeout(3000) });
    if (res.status !== 200) return { ok: false, detail: `GET ${wellKnown} -> ${res.status}` };
    const body = await res.json();
    if (body.issuer !== issuer) return { ok: false, detail: `issuer is ${body.issuer}, expected ${issuer}` };
    return { ok: true, detail: `issuer ${issuer}` };
  },

  /**
   * Once Keycloak is healthy: remember which realm file the DB was imported from (when this process started it), and
   * create the realm file's clients that a running Keycloak imported before they were added.
   */
  async afterHealthy(cfg) {
    if (this._pendingHash) {
      fs.writeFileSync(paths(cfg).realmHashFile, this._pendingHash + '\n');
      this._pendingHash = null;
    }
    try {
      await addMissingClients(cfg);
    } catch (e) {
      log(
        `keycloak: could not add the realm file's new clients (${e.message}); restart Keycloak to re-import the realm`,
      );
    }
    try {
      await applyUserProfile(cfg);
    } catch (e) {
      log(`keycloak: could not apply the realm file's user profile (${e.message}); users may edit their attributes`);
    }
  },

  hint(cfg) {
    return `if the DB is broken, delete ${paths(cfg).data} (the realm is re-imported on the next up)`;
  },
};

/**
 * Creates, through the admin API, each client of the realm file that the running realm lacks (a service account
 * comes with it). Existing clients are left as they are, so this is a no-op once the realm matches.
 */
async function addMissingClients(cfg) {
  const { base } = keycloakUrls(cfg);
  const wanted = JSON.parse(fs.readFileSync(realmFile(cfg.env), 'utf8')).clients ?? [];
  const headers = await adminHeaders(cfg);
  const clientsUrl = `${base}/admin/realms/${REALM}/clients`;
  const listed = await fetch(`${clientsUrl}?max=1000`, { headers, signal: AbortSignal.timeout(10000) });
  if (!listed.ok) throw new Error(`GET clients: ${listed.status}`);
  const present = new Set((await listed.json()).map((client) => client.clientId));
  for (const client of wanted.filter((candidate) => !present.has(candidate.clientId))) {
    const created = await fetch(clientsUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify(client),
      signal: AbortSignal.timeout(10000),
    });
    if (!created.ok && created.status !== 409) throw new Error(`POST client ${client.clientId}: ${created.status}`);
    log(`keycloak: added client ${client.clientId} of the realm file to the running realm`);
  }
}

/**
 * Applies the realm file's declarative user profile to the running realm: each attribute the file declares gets the
 * file's definition (so users cannot edit the attributes services trust) and the file's unmanaged-attribute policy.
 * Attributes the file does not name are left alone; nothing is written once the realm matches.
 */
async function applyUserProfile(cfg) {
  const { base } = keycloakUrls(cfg);
  const providers = JSON.parse(fs.readFileSync(realmFile(cfg.env), 'utf8')).components?.[
    'org.keycloak.userprofile.UserProfileProvider'
  ];
  const text = providers?.[0]?.config?.['kc.user.profile.config']?.[0];
  if (!text) return;
  const wanted = JSON.parse(text);
  const headers = await adminHeaders(cfg);
  const profileUrl = `${base}/admin/realms/${REALM}/users/profile`;
  const current = await fetch(profileUrl, { headers, signal: AbortSignal.timeout(10000) });
  if (!current.ok) throw new Error(`GET user profile: ${current.status}`);
  const profile = await current.json();
  const byName = new Map((profile.attributes ?? []).map((attribute) => [attribute.name, attribute]));
  // Keycloak fills in defaults (annotations, multivalued...): compare only what the file says.
  const stale = (wanted.attributes ?? []).filter((attribute) => !covers(byName.get(attribute.name), attribute));
  if (!stale.length && profile.unmanagedAttributePolicy === wanted.unmanagedAttributePolicy) return;
  for (const attribute of stale) byName.set(attribute.name, attribute);
  const updated = {
    ...profile,
    attributes: [...byName.values()],
    unmanagedAttributePolicy: wanted.unmanagedAttributePolicy,
  };
  const put = await fetch(profileUrl, {
    method: 'PUT',
    headers,
    body: JSON.stringify(updated),
    signal: AbortSignal.timeout(10000),
  });
  if (!put.ok) throw new Error(`PUT user profile: ${put.status} ${(await put.text()).slice(0, 200)}`);
  log("keycloak: applied the realm file's user profile to the running realm");
}

/** Headers of an admin API call with a token of the master realm's bootstrap admin. */
async function adminHeaders(cfg) {
  const { base } = keycloakUrls(cfg);
  const response = await fetch(`${base}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'admin-cli',
      username: cfg.env.KEYCLOAK_ADMIN_USER || 'admin',
      password: cfg.env.KEYCLOAK_ADMIN_PASSWORD || 'admin',
    }),
    signal: AbortSignal.timeout(10000),
  });
  if (!response.ok) throw new Error(`admin token: ${response.status}`);
  return { authorization: `Bearer ${(await response.json()).access_token}`, 'content-type': 'application/json' };
}

/** Whether `actual` has every field of `wanted` with the same value (arrays compared whole). */
function covers(actual, wanted) {
  if (wanted === null || typeof wanted !== 'object' || Array.isArray(wanted))
    return JSON.stringify(actual) === JSON.stringify(wanted);
  if (actual === null || typeof actual !== 'object') return false;
  return Object.keys(wanted).every((key) => covers(actual[key], wanted[key]));
}
