export * from './api';
export * from './errors';
export * from './heroku';
export * from './output-stream';
export * from './tarball';
export type * from './types';
