/** "Did you mean …?" for misspelled names (Levenshtein distance below 3, like BuildKit). */

export function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest option (case-insensitive), or undefined when none is close. */
export function closest(value: string, options: readonly string[]): string | undefined {
  if (value === '') return undefined;
  let best: string | undefined;
  let score = 3;
  for (const opt of options) {
    const d = distance(value.toLowerCase(), opt.toLowerCase());
    if (d < score) {
      score = d;
      best = opt;
    }
  }
  return best;
}
