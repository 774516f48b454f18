export * from './deadline';
export * from './duration';
