// Jest globalSetup of the worker's integration tests: starts whatever real service is missing (tools/stack
// reuses the ones already running and never stops services it did not start).
import { up } from '../../../tools/stack/index.mjs';

export default async function globalSetup() {
  await up(['kafka', 'mongo', 'redis', 'keycloak', 'smtp'], { quiet: true });
}
