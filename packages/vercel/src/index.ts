export * from './aliases';
export * from './api';
export * from './deploy';
export * from './files';
export * from './preview';
export * from './release';
export * from './upload';
export * from './wait';
