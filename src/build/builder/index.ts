/**
 * The image builder over the engine: Dockerfile + context → image, with a
 * step cache kept in the metadata database.
 *
 *   const b = new Builder({ db, content, snapshots, unpacker, images, dataRoot, cgroupParent, runtime, log });
 *   const ctx = await b.receiveContext(tarStream);
 *   const id = await b.build({ contextDir: ctx.dir, dockerfileName, dockerfileText, tags, … }, sink, signal);
 *   await b.prune({ keepStorage });  b.usage();  b.gcRoots();
 */
export { type BuildCacheRecord, Builder, type BuilderDeps, type PreparedBuild } from './builder.ts';
export { StepFailed } from './step-failed.ts';
export type { BuildRequest, BuildSink } from './types.ts';
