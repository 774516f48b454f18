export * from './client';
export * from './deadline';
export * from './errors';
export * from './redact';
export * from './retry-policy';
