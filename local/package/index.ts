/**
 * The deployment package: a reproducible zip of the compiled Functions app, host.json, a trimmed
 * package.json and the production dependencies, as Flex Consumption deploys it.
 */
export { buildPackage, DEFAULT_PACKAGE_FILE } from './build-package';
export type { BuildPackageOptions, BuiltPackage } from './build-package';
export { packageContents } from './package-contents';
export type { PackageEntry } from './package-contents';
export { productionPackages } from './production-dependencies';
export type { LockedPackage } from './production-dependencies';
export { deploymentManifest } from './deployment-manifest';
export { isRuntimeFile } from './runtime-files';
export { createZip } from './zip-archive';
export { PackageError } from './package-error';
