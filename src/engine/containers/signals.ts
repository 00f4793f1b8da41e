/** Signal names and numbers, as `docker kill -s` and StopSignal take them. */
import { constants } from 'node:os';
import { InvalidArgumentError } from '../../lib/errors.ts';

const BY_NUMBER = new Map<number, string>(Object.entries(constants.signals).map(([k, v]) => [v, k]));

/** `KILL`, `SIGKILL`, `9` → `SIGKILL`; also `SIGRTMIN+3`. */
export function parseSignal(s: string | number | undefined, dflt = 'SIGKILL'): string {
  if (s === undefined || s === '') return dflt;
  const text = String(s).toUpperCase();
  if (/^\d+$/.test(text)) {
    const name = BY_NUMBER.get(Number(text));
    if (!name && !(Number(text) >= 34 && Number(text) <= 64)) throw new InvalidArgumentError(`invalid signal: ${s}`);
    return name ?? text;
  }
  const name = text.startsWith('SIG') ? text : `SIG${text}`;
  if (!(name in constants.signals) && !/^SIGRTM(IN|AX)([+-]\d+)?$/.test(name))
    throw new InvalidArgumentError(`invalid signal: ${s}`);
  return name;
}

export function signalNumber(name: string): number {
  return (constants.signals as Record<string, number>)[name] ?? 0;
}
