// Integration tests: real Kafka, Mongo-wire DB, Redis and Keycloak started by tools/stack.
module.exports = {
  displayName: 'key-worker:integration',
  preset: '../../jest.preset.js',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
  setupFiles: ['<rootDir>/../../libs/testing/src/lib/integration-env.ts'],
  testTimeout: 60000,
};
