// Fixtures for unit specs of the libs and apps that use the key store (`@rs/key-store/testing`).
export * from './lib/testing/api-key-record.test-helper';
