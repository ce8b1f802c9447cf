const { existsSync } = require('node:fs');
const { resolve } = require('node:path');

/**
 * The offline template validation needs Azure's deployment schemas, which are not part of this
 * repository: ARM_SCHEMAS_DIR points at them (CI sets it), else the team folder beside the clone is
 * used when present. Without them that one suite does not run, and says so in one line.
 */
const schemasDir = process.env.ARM_SCHEMAS_DIR || resolve(__dirname, '..', 'shared', 'arm-schemas', 'schemas');
const schemasPresent = process.env.ARM_SCHEMAS_DIR !== undefined || existsSync(schemasDir);
if (schemasPresent) {
  process.env.ARM_SCHEMAS_DIR = schemasDir;
} else {
  console.log(`ARM template schema validation did not run: no schemas at ${schemasDir} (set ARM_SCHEMAS_DIR to Azure's deployment schemas).`);
}

/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...(schemasPresent ? [] : ['/test/deploy/arm-schema\\.test\\.ts$'])],
  testTimeout: 60000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
};
