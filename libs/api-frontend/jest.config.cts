module.exports = {
  displayName: 'api-frontend',
  preset: '../../jest.preset.js',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  coverageDirectory: '../../coverage/libs/api-frontend',
};
