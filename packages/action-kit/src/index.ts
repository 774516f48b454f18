export * from './inputs';
export * from './log';
export * from './run';
export * from './start';
export * from './state';
export * from './summary';
