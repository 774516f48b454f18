export * from './data-api';
export * from './github-sim';
export * from './http-target';
export * from './postgres';
export * from './run-action';
export * from './simulator';
export * from './slack-sim';
export * from './stub-extension';
