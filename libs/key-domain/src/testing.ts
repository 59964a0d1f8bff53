// Helpers for unit specs that assert domain errors (`@rs/key-domain/testing`).
export * from './lib/testing/domain-error.test-helper';
