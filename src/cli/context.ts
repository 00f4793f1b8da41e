/** What every command gets: the client for the chosen daemon. */
import { EngineClient, resolveHost } from '../client/client.ts';

let client: EngineClient | undefined;
let hostFlag: string | undefined;

export function setHost(h: string | undefined): void {
  hostFlag = h;
  client = undefined;
}

export function api(): EngineClient {
  client ??= new EngineClient(resolveHost(hostFlag));
  return client;
}
