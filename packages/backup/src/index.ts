export * from './drill';
export * from './errors';
export * from './pg-tools';
export * from './platform-backups';
export * from './report';
