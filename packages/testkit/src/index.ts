export * from './postgres';
export * from './run-action';
export * from './simulator';
