/**
 * The package.json that goes into the zip: what the Node.js worker reads (`main`, `type`) and what
 * documents the contents (name, version, dependencies). Scripts and devDependencies stay behind,
 * so nothing on Azure is tempted to build or install.
 */
import { PackageError } from './package-error';

export interface SourceManifest {
  name?: string;
  version?: string;
  description?: string;
  main?: string;
  type?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

export function deploymentManifest(source: SourceManifest): SourceManifest {
  if (typeof source.main !== 'string' || source.main === '') {
    throw new PackageError('package.json has no "main": the Functions worker finds the compiled functions through it');
  }
  const manifest: SourceManifest = {
    name: source.name,
    version: source.version,
    description: source.description,
    main: source.main,
    ...(source.type === undefined ? {} : { type: source.type }),
    ...(source.engines === undefined ? {} : { engines: source.engines }),
    dependencies: source.dependencies ?? {},
  };
  return JSON.parse(JSON.stringify(manifest)) as SourceManifest;
}
