/** Berth's version and the Engine API versions it speaks. */
export const API_VERSION = '1.47';
export const MIN_API_VERSION = '1.24';
export const BERTH_VERSION = '0.1.0';

export function compareVersions(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}
