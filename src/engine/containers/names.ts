/** Random container names, `adjective_noun`, for containers created without --name. */
import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'agile', 'amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'cosmic', 'crisp', 'daring', 'eager', 'fancy',
  'fearless', 'gentle', 'glad', 'golden', 'happy', 'humble', 'jolly', 'keen', 'kind', 'lively', 'lucid', 'merry',
  'mighty', 'nimble', 'noble', 'patient', 'plucky', 'proud', 'quiet', 'quick', 'rapid', 'serene', 'sharp', 'shiny',
  'silent', 'smart', 'steady', 'sturdy', 'sunny', 'swift', 'tidy', 'vivid', 'warm', 'wise', 'witty', 'zesty',
]; // biome-ignore format: word list
const NOUNS = [
  'anchor', 'barge', 'beacon', 'bollard', 'buoy', 'cabin', 'canal', 'cargo', 'compass', 'crane', 'current', 'deck',
  'dinghy', 'dock', 'ferry', 'galley', 'harbor', 'haven', 'helm', 'hull', 'island', 'jetty', 'keel', 'lagoon',
  'lantern', 'mast', 'marina', 'mooring', 'oar', 'pier', 'port', 'quay', 'raft', 'reef', 'rudder', 'sail', 'schooner',
  'shore', 'skiff', 'sloop', 'tide', 'tugboat', 'voyage', 'wake', 'wharf', 'windlass', 'yacht', 'yawl',
]; // biome-ignore format: word list

export function randomName(taken: (name: string) => boolean): string {
  for (let i = 0; i < 100; i++) {
    const n = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NOUNS[randomInt(NOUNS.length)]}${i > 10 ? randomInt(100) : ''}`;
    if (!taken(`/${n}`)) return n;
  }
  return `berth_${randomInt(1e9)}`;
}
