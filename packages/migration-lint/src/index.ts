export type { Query, TableFacts } from './catalog';
export * from './lint';
export * from './rules';
export * from './report';
