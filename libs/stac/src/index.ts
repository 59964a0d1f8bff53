export * from './lib/stac.util';
export * from './lib/stac-responses.dto';
export * from './lib/stac-query.decorators';
