/**
 * berth registry: an OCI Distribution Spec v1.1 server with its own storage
 * drivers, auth, GC, metrics and a pull-through cache mode.
 */

export { loadConfigFile, normalizeConfig, type RegistryConfig } from './config.ts';
export { type ErrorCode, RegistryError } from './errors.ts';
export { collectGarbage, type GcOptions, type GcResult } from './gc.ts';
export { registryMain } from './main.ts';
export { Registry, type RegistryOptions } from './registry.ts';
export { type RunningRegistry, type StartOptions, startRegistry } from './server.ts';
export type { ByteRange, FileWriter, StatInfo, StorageDriver } from './storage/driver.ts';
export { FsDriver } from './storage/fs-driver.ts';
export { MemoryDriver } from './storage/memory-driver.ts';
