/**
 * Helpers for the deployment package test: run the packager (the second half of `npm run
 * package`), read and extract the zip, copy the app elsewhere, and read the function list the local
 * host prints at start-up.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { productionPackages } from '../../../local/package';
import { REPO_ROOT } from './arm-schemas';

export const PACKAGER = join(REPO_ROOT, 'dist', 'local', 'package', 'main.js');

export function runPackager(outFile: string, options: { root?: string; env?: Record<string, string> } = {}): string {
  const args = [PACKAGER, '--out', outFile, ...(options.root ? ['--root', options.root] : [])];
  return execFileSync(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...options.env }, encoding: 'utf8' });
}

export function readZip(file: string): Record<string, Uint8Array> {
  return unzipSync(readFileSync(file));
}

export function extractZip(file: string, dir: string): void {
  for (const [path, data] of Object.entries(readZip(file))) {
    const target = join(dir, path);
    if (path.endsWith('/')) {
      mkdirSync(target, { recursive: true });
    } else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, data);
    }
  }
}

/** What the packager reads, copied (with new file times) to `dir`. */
export function copyPackagingInputs(dir: string): void {
  for (const path of ['package.json', 'package-lock.json', 'host.json', 'dist/functions', 'dist/shared', ...productionPackages(REPO_ROOT).map((pkg) => pkg.path)]) {
    cpSync(join(REPO_ROOT, path), join(dir, path), { recursive: true });
  }
}

/**
 * The function list of the host's start-up banner ("name: trigger ..." lines between "Functions:"
 * and "Function key:"), with the host's own address replaced so two hosts compare equal.
 */
export function bannerFunctions(output: string, hostUrl: string): string[] {
  const start = output.indexOf('\nFunctions:\n');
  const end = output.indexOf('\nFunction key:', start);
  if (start < 0 || end < 0) throw new Error(`No function list in the host output:\n${output}`);
  return output
    .slice(start + '\nFunctions:\n'.length, end)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => line.split(hostUrl).join('<host>'))
    .sort();
}

/** "Loaded 18 functions from 19 files" → {functions: 18, files: 19}. */
export function loadedCounts(output: string): { functions: number; files: number } {
  const match = /Loaded (\d+) functions from (\d+) files/.exec(output);
  if (!match) throw new Error(`The host did not report what it loaded:\n${output}`);
  return { functions: Number(match[1]), files: Number(match[2]) };
}
