#!/usr/bin/env node
// Local services for development and tests, on loopback, without docker: see tools/stack/README.md.
//
//   node tools/stack/stack.mjs provision [svc...]   download/build what is missing into the cache
//   node tools/stack/stack.mjs up [svc...]          provision if needed, start what is not healthy, wait for health
//   node tools/stack/stack.mjs down [svc...]        stop what `up` started (SIGTERM, then SIGKILL)
//   node tools/stack/stack.mjs status [svc...]      health of each service (exit 1 if one is unhealthy)
//   node tools/stack/stack.mjs run [svc...] -- <command...>
//                                                   up, run the command, down what it started, exit with its code
// svc: kafka, mongo, redis, keycloak, smtp (default: all)
import { ensureDependencies } from '../run-util.mjs';
import { config, log } from './lib/common.mjs';

// The health checks and topic set-up use kafkajs and the mongodb driver: install them in a fresh clone first.
ensureDependencies();
const { ALL, down, provision, run, status, up } = await import('./lib/orchestrator.mjs');

const USAGE = `usage: node tools/stack/stack.mjs <provision|up|down|status|run> [svc...] [-- command...]
  services: ${ALL.join(', ')} (default: all)
  see tools/stack/README.md for ports and environment variables`;

async function main(argv) {
  const [cmd, ...rest] = argv;
  const dd = rest.indexOf('--');
  const names = dd >= 0 ? rest.slice(0, dd) : rest;
  const command = dd >= 0 ? rest.slice(dd + 1) : [];
  switch (cmd) {
    case 'provision':
      await provision(names);
      return 0;
    case 'up': {
      // Ctrl-C / SIGTERM while waiting: stop what this `up` started, then exit
      const ac = new AbortController();
      const onSig = (sig) => {
        log(`received ${sig}; stopping what this up started`);
        ac.abort();
      };
      process.once('SIGINT', onSig);
      process.once('SIGTERM', onSig);
      try {
        await up(names, { signal: ac.signal });
      } catch (e) {
        if (ac.signal.aborted) return 130;
        throw e;
      }
      return 0;
    }
    case 'down':
      await down(names);
      return 0;
    case 'status': {
      const cfg = config();
      const st = await status(names, { cfg });
      let bad = 0;
      for (const [name, s] of Object.entries(st)) {
        if (!s.healthy) bad++;
        const who = s.owned
          ? `owned, pid ${s.pid}`
          : s.healthy
            ? 'not owned'
            : s.provisioned
              ? 'provisioned'
              : 'not provisioned';
        console.log(
          `${name.padEnd(9)} ${s.healthy ? 'healthy  ' : 'DOWN     '} port ${String(s.port).padEnd(6)} ${who.padEnd(22)} ${s.detail}`,
        );
      }
      return bad ? 1 : 0;
    }
    case 'run':
      if (dd < 0 || !command.length) {
        console.error(USAGE);
        return 2;
      }
      return await run(names, command);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return cmd ? 0 : 2;
    default:
      console.error(`unknown command '${cmd}'\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    log(`FAILED: ${e.message}`);
    process.exit(1);
  },
);
