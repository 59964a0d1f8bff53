// SMTP: a loopback mail server for the platform's e-mails (smtp-server + mailparser from the repo's npm packages,
// lib/smtp-mailbox.mjs), keeping what it receives for tests to read over HTTP. Delivers nothing.
import { createRequire } from 'node:module';
import path from 'node:path';
import { STACK_SRC, intEnv } from './common.mjs';

const require = createRequire(import.meta.url);
const MAILBOX_SCRIPT = path.join(STACK_SRC, 'lib', 'smtp-mailbox.mjs');

function installed() {
  try {
    require.resolve('smtp-server');
    require.resolve('mailparser');
    return true;
  } catch {
    return false;
  }
}

export default {
  name: 'smtp',
  ports: (cfg) => [intEnv(cfg.env, 'SMTP_SINK_PORT', 1025), intEnv(cfg.env, 'SMTP_SINK_HTTP_PORT', 8025)],
  healthTimeoutMs: 15000,

  describe(cfg) {
    const [smtpPort, httpPort] = this.ports(cfg);
    return `smtp://127.0.0.1:${smtpPort}, mailbox http://127.0.0.1:${httpPort}/messages`;
  },

  provisioned() {
    return installed();
  },

  async provision() {
    if (!installed()) throw new Error('smtp-server and mailparser are missing: run `npm ci` at the repository root');
  },

  async prepare(cfg) {
    const [smtpPort, httpPort] = this.ports(cfg);
    return {
      cmd: process.execPath,
      args: [MAILBOX_SCRIPT, String(smtpPort), String(httpPort)],
      cwd: cfg.cwd,
      env: cfg.env,
      match: 'smtp-mailbox.mjs',
    };
  },

  async probe(cfg) {
    const [smtpPort, httpPort] = this.ports(cfg);
    const response = await fetch(`http://127.0.0.1:${httpPort}/health`, { signal: AbortSignal.timeout(2000) });
    const body = response.ok ? await response.json() : null;
    if (!body?.ok) return { ok: false, detail: `GET :${httpPort}/health -> ${response.status}` };
    return { ok: true, detail: `smtp :${smtpPort}, ${body.messages} message(s) kept` };
  },
};
