/**
 * The production dependency tree, read from package-lock.json rather than from `npm ls` or a fresh
 * `npm ci --omit=dev`: the lockfile already marks every dev-only package (`"dev": true`), so the set
 * is exact, needs no network and is the same on every machine that ran `npm ci`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PackageError } from './package-error';

export interface LockedPackage {
  /** Folder relative to the app root, e.g. `node_modules/@azure/functions`. */
  path: string;
  name: string;
  version: string;
}

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  link?: boolean;
}

interface Lockfile {
  lockfileVersion?: number;
  packages?: Record<string, LockEntry>;
}

export function productionPackages(rootDir: string): LockedPackage[] {
  const lock = readLockfile(rootDir);
  const found: LockedPackage[] = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!path.startsWith('node_modules/') || entry.dev === true) continue;
    if (entry.link === true) throw new PackageError(`${path} is a linked package (workspace); the packager copies only installed packages`);
    const installed = installedVersion(rootDir, path);
    // Optional packages for other platforms are in the lockfile but not on disk, as with npm ci.
    if (installed === undefined && entry.optional === true) continue;
    if (installed === undefined) throw new PackageError(`${path} is in package-lock.json but not installed: run "npm ci"`);
    if (installed !== entry.version) {
      throw new PackageError(`${path} is ${installed} on disk but ${entry.version} in package-lock.json: run "npm ci"`);
    }
    found.push({ path, name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), version: installed });
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function readLockfile(rootDir: string): Lockfile {
  const file = join(rootDir, 'package-lock.json');
  if (!existsSync(file)) throw new PackageError(`No package-lock.json in ${rootDir}: the package is built from the locked dependency tree`);
  const lock = JSON.parse(readFileSync(file, 'utf8')) as Lockfile;
  // Version 1 lockfiles have no flat `packages` map with dev flags.
  if ((lock.lockfileVersion ?? 1) < 2 || !lock.packages) {
    throw new PackageError('package-lock.json must be lockfileVersion 2 or later (npm 7+)');
  }
  return lock;
}

function installedVersion(rootDir: string, path: string): string | undefined {
  const manifest = join(rootDir, path, 'package.json');
  if (!existsSync(manifest)) return undefined;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
}
