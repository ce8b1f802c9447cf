/**
 * A reproducible zip: entries sorted by path, every timestamp the same fixed date, Unix modes 0644
 * for files and 0755 for folders, one compression level, and an explicit entry for every folder
 * (some unzippers create folders only from them). fflate's deflate is pure JavaScript, so the
 * bytes do not depend on the zlib build of the Node.js that runs the packager either.
 */
import { zipSync, type ZipAttributes, type Zippable } from 'fflate';
import type { PackageEntry } from './package-contents';
import { PackageError } from './package-error';

/**
 * Zip stores local date and time fields; fflate fills them from the Date's local getters, so a
 * Date built from local fields gives the same bytes in every time zone. February 1980 rather than
 * the format's first day, so no reader converting to UTC lands before 1980.
 */
const FIXED_MTIME = new Date(1980, 1, 1, 0, 0, 0);
const UNIX = 3;
const FILE_ATTRS = 0o100644 << 16;
const DIRECTORY_ATTRS = (0o40755 << 16) | 0x10; // Unix directory, plus the MS-DOS directory bit
const LEVEL = 9;

export function createZip(entries: PackageEntry[]): Uint8Array {
  const files: Zippable = {};
  const file: ZipAttributes & { level: typeof LEVEL } = { os: UNIX, attrs: FILE_ATTRS, mtime: FIXED_MTIME, level: LEVEL };
  const folder: ZipAttributes & { level: 0 } = { os: UNIX, attrs: DIRECTORY_ATTRS, mtime: FIXED_MTIME, level: 0 };
  const data = new Map<string, Uint8Array>();
  for (const entry of entries) {
    if (data.has(entry.path)) throw new PackageError(`Two files for zip entry ${entry.path}`);
    data.set(entry.path, entry.data);
  }
  // fflate writes entries in key insertion order, so insert them sorted. Keys holding "/" are
  // taken as full paths; a trailing "/" makes a folder entry.
  for (const path of [...data.keys(), ...folders(data.keys())].sort()) {
    files[path] = path.endsWith('/') ? [new Uint8Array(0), folder] : [data.get(path) ?? new Uint8Array(0), file];
  }
  return zipSync(files);
}

function folders(paths: Iterable<string>): string[] {
  const result = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    for (let depth = 1; depth < parts.length; depth++) result.add(`${parts.slice(0, depth).join('/')}/`);
  }
  return [...result];
}
