export * from './lib/eventually.util';
export * from './lib/kafka.util';
export * from './lib/keycloak.util';
export * from './lib/stack-endpoints';
export * from './lib/fake-keycloak.util';
export * from './lib/private-mongo.util';
export * from './lib/guarded-test-app.util';
export * from './lib/mongo.util';
