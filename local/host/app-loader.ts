/**
 * Loads a compiled Functions app the way the Node.js worker does: read package.json `main` (a file
 * or a glob), then load each file in turn so its `app.*` calls register functions. CommonJS files
 * are required; ES modules (`.mjs`, or `.js` under `"type": "module"`) are imported.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { globFiles } from './glob-files';

export class AppLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppLoadError';
  }
}

export interface LoadedApp {
  entryPoints: string[];
}

// TypeScript compiles `import()` to `require()` under CommonJS; this keeps a real dynamic import.
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

export async function loadApp(appDir: string): Promise<LoadedApp> {
  const packageFile = join(appDir, 'package.json');
  if (!existsSync(packageFile)) throw new AppLoadError(`No package.json in ${appDir}`);
  const pkg = JSON.parse(readFileSync(packageFile, 'utf8')) as { main?: unknown; type?: unknown };
  const main = typeof pkg.main === 'string' && pkg.main !== '' ? pkg.main : 'index.js';
  const entryPoints = globFiles(appDir, main);
  if (entryPoints.length === 0) {
    throw new AppLoadError(`package.json "main" (${main}) matches no file in ${appDir}. Did you build the app?`);
  }
  for (const file of entryPoints) {
    try {
      if (file.endsWith('.mjs') || (pkg.type === 'module' && file.endsWith('.js'))) {
        await dynamicImport(pathToFileURL(file).href);
      } else {
        require(file);
      }
    } catch (error) {
      throw new AppLoadError(`Worker was unable to load entry point "${file}": ${describe(error)}`, { cause: error });
    }
  }
  return { entryPoints };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
