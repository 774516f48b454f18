export * from './bootstrap';
export * from './bootstrap-sql';
export * from './platform';
