export * from './lib/stac.util';
