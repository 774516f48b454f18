export * from './deadline';
export * from './duration';
export * from './instant';
