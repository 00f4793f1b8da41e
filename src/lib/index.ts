export * from './atomic.ts';
export * from './digest.ts';
export * from './errors.ts';
export * from './ids.ts';
export * from './log.ts';
export * from './version.ts';
