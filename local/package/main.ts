/**
 * `npm run package` (after `npm run build`): writes the zip that Flex Consumption deploys.
 *
 *   node dist/local/package/main.js [--out dist/package/aml-jupyterhub.zip] [--root <app folder>]
 *
 * Deploy it with `az functionapp deployment source config-zip --src <zip>` (see README, "Deploy to Azure").
 */
import { parseArgs } from 'node:util';
import { buildPackage, DEFAULT_PACKAGE_FILE } from './build-package';

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: DEFAULT_PACKAGE_FILE },
      root: { type: 'string', default: process.cwd() },
    },
  });
  const built = buildPackage({ rootDir: values.root ?? process.cwd(), outFile: values.out ?? DEFAULT_PACKAGE_FILE });
  const megabytes = (built.bytes / (1024 * 1024)).toFixed(1);
  process.stdout.write(`Package: ${built.outFile}\n  ${built.files} files, ${megabytes} MiB, sha256 ${built.sha256}\n`);
}

try {
  main();
} catch (error) {
  console.error(`Packaging failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
