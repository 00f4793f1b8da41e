/**
 * .dockerignore: read the patterns as the docker CLI does (comments and
 * blank lines skipped, patterns cleaned, a leading `/` dropped, `!` marks an
 * exception) and decide for a context-relative path whether it is excluded:
 * patterns apply in order, a later one wins, and a pattern that matches a
 * parent directory matches everything below it.
 */
import { cleanPath, Pattern, segmentMatches } from './match.ts';

export interface IgnoreMatcher {
  /** True when `relPath` (slash-separated, relative to the context root) is excluded. */
  (relPath: string, isDir: boolean): boolean;
  readonly patterns: readonly Pattern[];
  /** Whether some `!` pattern exists at all. */
  readonly hasExceptions: boolean;
  /**
   * Whether an exception could re-include something below the excluded
   * directory `relDir`: when false, the walker may skip it without reading it.
   */
  mayReinclude(relDir: string): boolean;
}

/** The patterns of a .dockerignore file, cleaned, in order (`!` kept in front of exceptions). */
export function readIgnorePatterns(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((raw, i) => {
    let line = raw.replace(/\r$/, '');
    if (i === 0) line = line.replace(/^\uFEFF/, '');
    if (line.startsWith('#')) return;
    let p = line.trim();
    if (p === '') return;
    const invert = p.startsWith('!');
    if (invert) p = p.slice(1).trim();
    if (p.length > 0) {
      p = cleanPath(p);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push(invert ? `!${p}` : p);
  });
  return out;
}

/** Compiles .dockerignore text (or already-read patterns) into a matcher. */
export function compileIgnore(source: string | readonly string[]): IgnoreMatcher {
  const lines = typeof source === 'string' ? readIgnorePatterns(source) : source;
  const patterns = lines.filter((l) => l.trim() !== '').map((l) => new Pattern(l));
  const exceptions = patterns.filter((p) => p.exclusion);

  const matcher = ((relPath: string, _isDir: boolean): boolean => {
    const file = cleanPath(relPath);
    const slash = file.lastIndexOf('/');
    const parents = slash < 0 ? [] : file.slice(0, slash).split('/');
    let matched = false;
    for (const p of patterns) {
      if (p.exclusion !== matched) continue;
      let hit = p.matches(file);
      for (let i = 1; !hit && i <= parents.length; i++) hit = p.matches(parents.slice(0, i).join('/'));
      if (hit) matched = !p.exclusion;
    }
    return matched;
  }) as IgnoreMatcher;

  const mayReinclude = (relDir: string): boolean => {
    const dirs = cleanPath(relDir).split('/');
    return exceptions.some((p) => {
      const n = Math.min(p.dirs.length, dirs.length);
      for (let i = 0; i < n; i++) {
        if (p.dirs[i].includes('**')) return true;
        if (!segmentMatches(p.dirs[i], dirs[i])) return false;
      }
      return true;
    });
  };

  return Object.assign(matcher, { patterns, hasExceptions: exceptions.length > 0, mayReinclude });
}
