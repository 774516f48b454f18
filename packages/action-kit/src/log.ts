// The runner's side re-exports the contract so actions import their whole kit from one place.
export * from '@wingman/log';
