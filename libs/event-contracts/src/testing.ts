// Event fixtures for unit specs of the producers and consumers (`@rs/event-contracts/testing`).
export * from './lib/testing/key-lifecycle-event.test-helper';
