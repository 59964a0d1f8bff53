export * from './lib/stac.util';
export * from './lib/stac-responses.dto';
