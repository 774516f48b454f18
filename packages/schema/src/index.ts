// The Data API probe and drift are loaded by verifySchema only when asked for (their clients are most of
// the bundle), so they are their own entry points: @wingman/schema/data-api-probe and /drift.
export * from './config';
export * from './coverage';
export * from './findings';
export * from './lints/index';
export * from './locate';
export * from './probe';
export * from './sarif';
export * from './verify';
