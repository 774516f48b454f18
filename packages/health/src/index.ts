export * from './contract';
export * from './health';
export * from './json-assert';
export * from './probe';
export * from './report';
export * from './stats';
export * from './targets';
