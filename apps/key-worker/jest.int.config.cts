// Integration tests: real Kafka, Mongo-wire DB, Redis and Keycloak started by tools/stack, and the built
// worker (dist/apps/key-worker, the target depends on build) run as child processes.
module.exports = {
  displayName: 'key-worker:integration',
  preset: '../../jest.preset.js',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
  setupFiles: ['<rootDir>/../../libs/testing/src/lib/integration-env.ts'],
  globalSetup: '<rootDir>/test/stack.global-setup.mjs',
  testTimeout: 60000,
};
