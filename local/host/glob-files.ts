/**
 * Just enough globbing for package.json `main` as the worker accepts it (`dist/functions/*.js`,
 * `dist/**\/*.js`, `{a,b}.js`): `*`, `?`, `**` and brace alternatives, relative to a base folder.
 * node_modules is never searched. Node 20 has no fs.glob, hence this file.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function hasGlobSyntax(pattern: string): boolean {
  return /[*?{]/.test(pattern);
}

/** Absolute paths of the files matching `pattern` under `baseDir`, sorted for a stable load order. */
export function globFiles(baseDir: string, pattern: string): string[] {
  const normalised = pattern.replace(/\\/g, '/').replace(/^\.\//, '');
  if (!hasGlobSyntax(normalised)) {
    const file = resolve(baseDir, normalised);
    return existsSync(file) && statSync(file).isFile() ? [file] : [];
  }
  const segments = normalised.split('/').filter((segment) => segment !== '');
  const matches = new Set<string>();
  walk(resolve(baseDir), segments, matches);
  return [...matches].sort();
}

function walk(dir: string, segments: string[], matches: Set<string>): void {
  const [segment, ...rest] = segments;
  if (segment === undefined) return;
  if (segment === '**') {
    walk(dir, rest, matches); // ** matches zero folders
    for (const entry of listDirectory(dir)) {
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(join(dir, entry.name), segments, matches);
    }
    return;
  }
  const matcher = segmentMatcher(segment);
  for (const entry of listDirectory(dir)) {
    if (!matcher.test(entry.name)) continue;
    const full = join(dir, entry.name);
    if (rest.length === 0) {
      if (entry.isFile()) matches.add(full);
    } else if (entry.isDirectory() && entry.name !== 'node_modules') {
      walk(full, rest, matches);
    }
  }
}

function listDirectory(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** One path segment's pattern as an anchored regular expression. */
export function segmentMatcher(segment: string): RegExp {
  let source = '';
  let braceDepth = 0;
  for (const char of segment) {
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '{') {
      braceDepth++;
      source += '(?:';
    } else if (char === '}' && braceDepth > 0) {
      braceDepth--;
      source += ')';
    } else if (char === ',' && braceDepth > 0) source += '|';
    else source += char.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  // Like the usual globbers, * does not match a leading dot.
  return new RegExp(`^(?!\\.)${source}$`);
}
