// Cross-app and smoke tests: real Kafka, Mongo-wire DB, Redis and Keycloak started by tools/stack,
// and the built apps (dist/) started as child processes where a test needs them.
module.exports = {
  displayName: 'e2e:integration',
  preset: '../jest.preset.js',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  testMatch: ['<rootDir>/**/*.int-spec.ts'],
  setupFiles: ['<rootDir>/../libs/testing/src/lib/integration-env.ts'],
  testTimeout: 120000,
};
