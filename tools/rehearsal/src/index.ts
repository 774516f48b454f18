export * from './expressions';
export * from './github-model';
export * from './pipeline';
export * from './runner';
export * from './workflow-file';
export * from './workflow-lint';
