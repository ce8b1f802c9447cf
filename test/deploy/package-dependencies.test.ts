/**
 * Which dependencies the deployment zip carries (the packager copies `productionPackages`: every
 * locked package not marked dev). Only what the deployed code (functions/, shared/) needs belongs
 * there: a package only the local runtime, the benchmark or the tests import is a devDependency,
 * so it never ships (cron-parser and its 4.5 MB luxon once did, for the local host's timer alone).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { productionPackages } from '../../local/package';
import { REPO_ROOT } from './support/arm-schemas';

interface Manifest {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
interface LockEntry {
  dev?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

/** In `dependencies` though no deployed file imports it yet, each with the reason it ships (none today). */
const SHIPPED_AHEAD_OF_USE = new Set<string>([]);

/** Bare package names a source tree imports (`from 'x'`, `require('x')`, `import('x')`), node: built-ins excluded. */
function importedPackages(...dirs: string[]): Set<string> {
  const names = new Set<string>();
  const pattern = /(?:from\s+|require\(\s*|import\(\s*)'([^'.][^']*)'/g;
  for (const dir of dirs) {
    for (const file of sourceFiles(join(REPO_ROOT, dir))) {
      for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
        const specifier = match[1];
        if (specifier.startsWith('node:')) continue;
        const parts = specifier.split('/');
        names.add(specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
      }
    }
  }
  return names;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : /\.[cm]?[jt]s$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

/** The installed folder `name` resolves to from the package at `from`, as Node walks up node_modules. */
function resolveFrom(from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/** Every locked package reachable from package.json's `dependencies`. */
function productionClosure(): Set<string> {
  const reached = new Set<string>();
  const queue = Object.keys(manifest.dependencies).map((name) => resolveFrom('', name));
  while (queue.length > 0) {
    const path = queue.pop();
    if (path === undefined || reached.has(path)) continue;
    reached.add(path);
    const entry = lock.packages[path];
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies })) {
      const resolved = resolveFrom(path, name);
      if (resolved) queue.push(resolved);
    }
  }
  return reached;
}

describe("the deployment zip's dependencies", () => {
  const shipped = productionPackages(REPO_ROOT).map((pkg) => pkg.path);

  it('are exactly the packages reachable from package.json dependencies (the lockfile holds nothing stale)', () => {
    const closure = [...productionClosure()].filter((path) => shipped.includes(path) || !lock.packages[path].optional);
    expect([...shipped].sort()).toEqual(closure.sort());
  });

  it('hold only what the deployed code imports: a package of the local runtime, bench or tests alone is a devDependency', () => {
    const deployed = importedPackages('functions', 'shared');
    const unused = Object.keys(manifest.dependencies).filter((name) => !deployed.has(name) && !SHIPPED_AHEAD_OF_USE.has(name));
    expect(unused).toEqual([]);
    const missing = [...deployed].filter((name) => !(name in manifest.dependencies));
    expect(missing).toEqual([]);
  });

  it('hold no cron-parser nor luxon (the local timer reads cron with croner)', () => {
    expect(shipped.filter((path) => /node_modules\/(cron-parser|luxon)$/.test(path))).toEqual([]);
    expect(importedPackages('local', 'functions', 'shared').has('cron-parser')).toBe(false);
  });
});
