/** Builds the Flex Consumption deployment zip of the app in `rootDir` and writes it to `outFile`. */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { packageContents } from './package-contents';
import { createZip } from './zip-archive';

export interface BuildPackageOptions {
  rootDir: string;
  outFile: string;
}

export interface BuiltPackage {
  outFile: string;
  bytes: number;
  files: number;
  sha256: string;
}

export const DEFAULT_PACKAGE_FILE = 'dist/package/aml-jupyterhub.zip';

export function buildPackage(options: BuildPackageOptions): BuiltPackage {
  const entries = packageContents(resolve(options.rootDir));
  const zip = createZip(entries);
  const outFile = resolve(options.rootDir, options.outFile);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, zip);
  return { outFile, bytes: zip.byteLength, files: entries.length, sha256: createHash('sha256').update(zip).digest('hex') };
}
