export * from './pr-database';
export * from './preview';
export * from './supabase-branch';
export * from './sweep';
