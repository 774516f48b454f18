export * from './client';

export * from './errors';
export * from './redact';
export * from './retry-policy';
