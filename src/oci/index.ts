export * from './image.ts';
export * from './media-types.ts';
export * from './reference.ts';
