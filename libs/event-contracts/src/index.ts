export * from './lib/topics.constants';
export * from './lib/validation.util';
export * from './lib/key-lifecycle.event';
export * from './lib/key-usage.event';
export * from './lib/key-usage-delta.event';
export * from './lib/key-check.contract';
