/** The Engine API's wire types: what the server sends and the client reads. */

export * from './containers.ts';
export * from './errors.ts';
export * from './images.ts';
export * from './system.ts';
export * from './volumes.ts';
