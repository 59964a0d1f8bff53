// Programmatic API (e.g. for jest globalSetup/globalTeardown):
//   import { up, down, status } from '../tools/stack/index.mjs';
//   await up(['kafka', 'mongo']);   // default: all services
//   await down();                    // stops only what up() started (recorded in .stack/state.json)
// All functions accept opts { env, timeoutMs, quiet } ; paths come from RS_STACK_DIR / RS_STACK_CACHE and cwd.
export { ALL as SERVICE_NAMES, down, provision, run, status, up } from './lib/orchestrator.mjs';
export { config } from './lib/common.mjs';
export { keycloakUrls } from './lib/keycloak.mjs';
export { startKafkaCluster } from './lib/kafka-cluster.mjs';
