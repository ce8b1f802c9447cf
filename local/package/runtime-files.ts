/**
 * Which files of an installed dependency the Functions runtime can ever load. Source maps, type
 * declarations, TypeScript sources and Markdown are never required by Node at run time, and they
 * are about half of node_modules by size; everything else (code, JSON data, licences) stays.
 */
const NEVER_LOADED = [
  /\.map$/i, // source maps
  /\.[cm]?ts$/i, // TypeScript sources and declarations (.ts, .d.ts, .mts, .cts)
  /\.(md|markdown)$/i, // READMEs, changelogs
];

export function isRuntimeFile(relativePath: string): boolean {
  return !NEVER_LOADED.some((pattern) => pattern.test(relativePath));
}
