/** What every command gets: the client for the chosen daemon. */
import { EngineClient, resolveHost } from '../client/client.ts';

let client: EngineClient | undefined;
let hostFlag: string | undefined;
let blocking = false;

/** The daemon to talk to; `blocking` for a command that makes one call (EngineClient's option). */
export function setHost(h: string | undefined, o: { blocking?: boolean } = {}): void {
  hostFlag = h;
  blocking = o.blocking ?? false;
  client = undefined;
}

export function api(): EngineClient {
  client ??= new EngineClient(resolveHost(hostFlag), { blocking });
  return client;
}
