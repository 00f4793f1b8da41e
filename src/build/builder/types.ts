/** What a build asks for, what it writes to, and what it builds with. */
import type { ImageService } from '../../engine/images/image-service.ts';
import type { RuntimeName } from '../../runtime/runtime-cli.ts';
import type { ContentStore } from '../../store/types.ts';
import type { BuildCache } from './cache.ts';
import type { LayerMaker } from './layers.ts';

export interface BuildRequest {
  /** The extracted build context. */
  contextDir: string;
  /** Path of the Dockerfile in the context (or its text in `dockerfileText`). */
  dockerfileName: string;
  dockerfileText: string;
  tags: string[];
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  target?: string;
  noCache: boolean;
  /** Images whose build cache may be used (cache entries recorded for them). */
  cacheFrom: string[];
  /** `networkmode`: `host` lets RUN use the host's network; anything else runs RUN in its own (loopback only). */
  network: 'none' | 'host';
  /** Secret id → contents (berth build --secret). */
  secrets: Record<string, Buffer>;
  platform?: string;
  quiet: boolean;
}

export interface BuildSink {
  /** A `{"stream": …}` line. */
  stream(text: string): void;
  /** A `{"aux": …}` line. */
  aux(obj: unknown): void;
}

export interface BuildEnv {
  content: ContentStore;
  images: ImageService;
  cache: BuildCache;
  layers: LayerMaker;
  /** DATA_ROOT/build */
  scratch: string;
  cgroupParent: string;
  runtime: () => RuntimeName;
  predefined: Record<string, string>;
}
