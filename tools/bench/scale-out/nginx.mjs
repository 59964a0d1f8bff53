// nginx (Debian's package, installed with apt-get when missing) as the load balancer of the scale-out bench: one
// loopback port per app, round robin over its replicas, a replica that refuses connections skipped for a while.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { aptInstall } from '../../run-util.mjs';
import { freePort, sleep } from '../built-apps.mjs';

const NGINX = '/usr/sbin/nginx';

export function ensureNginx() {
  if (fs.existsSync(NGINX)) return;
  console.error('[bench] nginx missing: installing Debian package nginx');
  if (!aptInstall(['nginx'])) throw new Error("could not install nginx: run 'apt-get install -y nginx' as root");
}

/**
 * The configuration: per upstream, a server on its own port, as ingress-nginx configures one: no replica is taken
 * out after failures (max_fails=0), and an idempotent request whose replica fails before answering (connection
 * refused or reset) is tried once more on another. Not after a timeout: the slow replica may still answer and
 * count the request. Idle upstream connections close before Node's 5 s keep-alive timeout, so nginx never reuses
 * one the app is closing. Every answer names the replica(s) tried in `X-Upstream`.
 */
function configuration(dir, upstreams, excluded) {
  const temp = (name) => path.join(dir, 'temp', name);
  const blocks = Object.entries(upstreams).map(
    ([name, { port, replicas }]) => `
  upstream ${name} {
${replicas.map((replica) => `    server 127.0.0.1:${replica} max_fails=0${excluded.has(replica) ? ' down' : ''};`).join('\n')}
    keepalive 32;
    keepalive_timeout 4s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://${name};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_connect_timeout 5s;
      proxy_read_timeout 100s;
      proxy_next_upstream error;
      proxy_next_upstream_tries 2;
      add_header X-Upstream $upstream_addr always;
    }
  }`,
  );
  return `daemon off;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
${blocks.join('\n')}
}
`;
}

/**
 * Starts nginx in front of `replicas` ({ name: [port…] }) from `dir`; resolves with { urls: { name: url }, exclude,
 * include, reloads, stop }. `exclude(port)` and `include(port)` take a replica out of its upstream and back, as an
 * ingress follows a Service's ready endpoints (nginx reloads its configuration without dropping connections).
 */
export async function startLoadBalancer(dir, replicas) {
  ensureNginx();
  fs.mkdirSync(path.join(dir, 'temp'), { recursive: true });
  // The workers run as nobody when nginx starts as root.
  for (const name of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    fs.mkdirSync(path.join(dir, 'temp', name), { recursive: true, mode: 0o777 });
  const upstreams = {};
  for (const [name, ports] of Object.entries(replicas)) upstreams[name] = { port: await freePort(), replicas: ports };
  const file = path.join(dir, 'nginx.conf');
  const excluded = new Set();
  fs.writeFileSync(file, configuration(dir, upstreams, excluded));
  const test = spawnSync(NGINX, ['-t', '-p', dir, '-c', file], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx -t: ${test.stderr}`);
  const child = spawn(NGINX, ['-p', dir, '-c', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exit = () => child.kill('SIGKILL');
  process.once('exit', exit);
  const urls = Object.fromEntries(
    Object.entries(upstreams).map(([name, { port }]) => [name, `http://127.0.0.1:${port}`]),
  );
  for (const url of Object.values(urls)) {
    for (let attempt = 0; ; attempt++) {
      const up = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
        () => true,
        () => false,
      );
      if (up) break;
      if (attempt > 50 || child.exitCode !== null) throw new Error(`nginx does not answer on ${url}`);
      await sleep(100);
    }
  }
  const reloads = [];
  const reload = async () => {
    reloads.push(performance.now());
    // Whole files only: a reload must never read half of one.
    fs.writeFileSync(`${file}.next`, configuration(dir, upstreams, excluded));
    fs.renameSync(`${file}.next`, file);
    child.kill('SIGHUP');
    // The master starts new workers and lets the old ones finish their requests.
    await sleep(200);
  };
  return {
    urls,
    /** When each reload was asked for (performance.now()). */
    reloads,
    exclude: (port) => (excluded.add(port), reload()),
    include: (port) => (excluded.delete(port), reload()),
    stop: () =>
      new Promise((resolve) => {
        process.removeListener('exit', exit);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGQUIT');
      }),
  };
}

// `node tools/bench/scale-out/nginx.mjs --ensure`: installs nginx when missing (npm test, before the services start).
if (process.argv[1] === new URL(import.meta.url).pathname && process.argv[2] === '--ensure') ensureNginx();
