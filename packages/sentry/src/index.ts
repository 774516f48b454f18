export * from './api';
export * from './cli';
export * from './errors';
export * from './git';
export * from './github-commits';
export * from './release';
export * from './sourcemaps';
