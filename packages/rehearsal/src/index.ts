export * from './expressions';
export * from './pipeline';
export * from './runner';
export * from './workflow-lint';
