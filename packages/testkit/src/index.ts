export * from './data-api';
export * from './postgres';
export * from './run-action';
export * from './simulator';
export * from './stub-extension';
