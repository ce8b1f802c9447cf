/**
 * Everything the Flex Consumption runtime needs from this repository, as zip entries: host.json,
 * a trimmed package.json, the compiled functions and the code they import (dist/functions,
 * dist/shared), and the production dependencies. Local tooling (dist/local), tests and sources stay
 * out. Entries come back sorted so the same tree always gives the same zip.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { deploymentManifest, type SourceManifest } from './deployment-manifest';
import { PackageError } from './package-error';
import { productionPackages } from './production-dependencies';
import { isRuntimeFile } from './runtime-files';

export interface PackageEntry {
  /** Path inside the zip, with forward slashes. */
  path: string;
  data: Uint8Array;
}

/** Compiled folders the functions load; dist/local is the local runtime and never deployed. */
const COMPILED_FOLDERS = ['dist/functions', 'dist/shared'];
const COMPILED_FILE = /\.(js|json)$/;

export function packageContents(rootDir: string): PackageEntry[] {
  const entries: PackageEntry[] = [];
  const source = JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8')) as SourceManifest;
  entries.push({ path: 'package.json', data: utf8(`${JSON.stringify(deploymentManifest(source), null, 2)}\n`) });

  const hostJson = join(rootDir, 'host.json');
  if (!existsSync(hostJson)) throw new PackageError(`No host.json in ${rootDir}`);
  entries.push({ path: 'host.json', data: readFileSync(hostJson) });

  for (const folder of COMPILED_FOLDERS) {
    const dir = join(rootDir, folder);
    if (!existsSync(dir)) throw new PackageError(`${folder} is missing: run "npm run build" first`);
    for (const file of walkFiles(dir)) {
      if (COMPILED_FILE.test(file)) entries.push(fileEntry(rootDir, file));
    }
  }
  if (!entries.some((entry) => entry.path.startsWith('dist/functions/') && entry.path.endsWith('.js'))) {
    throw new PackageError('dist/functions has no .js file: run "npm run build" first');
  }

  for (const pkg of productionPackages(rootDir)) {
    for (const file of walkFiles(join(rootDir, pkg.path))) {
      if (isRuntimeFile(file)) entries.push(fileEntry(rootDir, file));
    }
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Files under `dir`, depth first. A nested node_modules is skipped: each package in it is its own
 * lockfile entry (and may be dev-only). `.bin` holds symlinks to CLIs the runtime never runs.
 */
function walkFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== '.bin') files.push(...walkFiles(full));
    } else if (entry.isFile()) {
      files.push(full);
    } else if (lstatSync(full).isSymbolicLink()) {
      // A link would be stored as its target's bytes or dropped by some unzippers: refuse it.
      throw new PackageError(`${full} is a symbolic link; the deployment package holds regular files only`);
    }
  }
  return files;
}

function fileEntry(rootDir: string, file: string): PackageEntry {
  return { path: relative(rootDir, file).split(sep).join('/'), data: readFileSync(file) };
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
