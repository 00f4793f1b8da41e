export * from './lock.ts';
export * from './native.ts';
