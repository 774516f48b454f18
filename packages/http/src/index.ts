export * from './client';
export * from './env-proxy-fetch';
export * from './error-parser';
export * from './errors';
export * from './retry-policy';
export * from './types';
