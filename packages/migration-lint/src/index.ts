export type { Query, TableFacts } from './catalog';
export * from './lint';
export * from './report';
export * from './rules';
