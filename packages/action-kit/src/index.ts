export * from './inputs';
export * from './log';
export * from './run';
export * from './summary';
