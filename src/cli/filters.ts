/** `--filter k=v` flags (repeatable) as the API's filter map. */
export function filterFlags(list: string[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of list ?? []) {
    const i = f.indexOf('=');
    if (i < 0) throw new Error(`bad format of filter "${f}" (expected name=value)`);
    const k = f.slice(0, i);
    if (!out[k]) out[k] = [];
    out[k].push(f.slice(i + 1));
  }
  return out;
}
