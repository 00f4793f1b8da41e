/**
 * The registry client: endpoints (mirrors, insecure registries, certs.d
 * TLS), authentication (basic, bearer tokens), manifests and platform
 * choice, resumable digest-checked blob downloads, uploads, and Docker's
 * progress messages. The engine (images/pull.ts, images/push.ts) stores
 * what it fetches.
 */
export { type Challenge, type Credentials, parseChallenges } from './auth.ts';
export { type AuthConfig, credentialsOf, decodeAuthHeader, loginDomain } from './auth-config.ts';
export { type FetchOptions, fetchBlob } from './fetch.ts';
export { DEFAULT_CERTS_DIR, type Endpoint, type HostsConfig, RegistryHosts } from './hosts.ts';
export { Limiter } from './limit.ts';
export { chooseManifest, parsePlatform, platformString } from './platform.ts';
export { humanSize, LayerProgress, type ProgressMessage, type ProgressSink, progressBar, shortId } from './progress.ts';
export { PushState } from './push-state.ts';
export { type FetchedManifest, pullScope, pushScope, RegistryClient } from './registry-client.ts';
export { type ResolvedImage, resolveImage } from './resolve.ts';
