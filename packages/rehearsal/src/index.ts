export * from './expressions';
export * from './runner';
export * from './workflow-lint';
