export * from './flags';
export * from './flags-file';
