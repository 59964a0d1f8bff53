export * from './lib/frontend-document.util';
export * from './lib/frontend-routes';
export * from './lib/frontend-sections';
