export * from './check';
export * from './manifest';
export * from './read';
export * from './report';
