export * from './config';
export * from './coverage';
export * from './drift';
export * from './findings';
export * from './lints/index';
export * from './locate';
export * from './sarif';
export * from './verify';
