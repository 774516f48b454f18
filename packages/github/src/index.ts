export * from './client';
export * from './context';
export * from './errors';
export * from './preview-comment';
export * from './sweep';
