export * from './lib/api-key-format';
export * from './lib/api-key-hash';
export * from './lib/api-key-rules';
export * from './lib/domain-error';
export * from './lib/referer-policy';
export * from './lib/key-policy';
export * from './lib/key-revocation';
