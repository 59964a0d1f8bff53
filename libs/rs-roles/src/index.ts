export * from './lib/rs-roles.util';
