/**
 * The emulator's api-version table (local/arm-emulator/api-versions.json): well formed, holding
 * what the product and the SDKs send, and — where Azure's deployment schemas are at hand
 * (ARM_SCHEMAS_DIR, as for the template validation) — derived from them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkApiVersion, hasComputeInstanceProperty, PUBLISHED_API_VERSIONS } from '../../local/arm-emulator/api-versions';
import table from '../../local/arm-emulator/api-versions.json';
import { AML_API_VERSION, SUBSCRIPTIONS_API_VERSION } from '../../shared/adapters/aml/arm-aml-gateway';

const refusal = (provider: Parameters<typeof checkApiVersion>[0], version: string | undefined): string | null => {
  try {
    checkApiVersion(provider, version);
    return null;
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('the published api-versions table', () => {
  it('lists each provider\'s versions once, in order, as YYYY-MM-DD', () => {
    for (const versions of Object.values(PUBLISHED_API_VERSIONS)) {
      expect(versions.every((version) => /^\d{4}-\d{2}-\d{2}$/.test(version))).toBe(true);
      expect([...versions].sort()).toEqual(versions);
      expect(new Set(versions).size).toBe(versions.length);
    }
  });

  it('holds what the product and the SDK clients send', () => {
    expect(refusal('Microsoft.MachineLearningServices', AML_API_VERSION)).toBeNull();
    expect(refusal('Microsoft.MachineLearningServices', '2022-10-01')).toBeNull(); // @azure/arm-machinelearning 2.x
    expect(refusal('Microsoft.Resources', SUBSCRIPTIONS_API_VERSION)).toBeNull();
    expect(refusal('Microsoft.Resources', '2025-04-01')).toBeNull(); // @azure/arm-resources 7
    expect(refusal('Microsoft.Authorization', '2022-04-01')).toBeNull(); // @azure/arm-authorization 9
  });

  it('refuses a missing, a malformed and an unpublished version with ARM\'s codes', () => {
    expect(refusal('Microsoft.MachineLearningServices', undefined)).toBe('MissingApiVersionParameter');
    expect(refusal('Microsoft.MachineLearningServices', 'latest')).toBe('InvalidApiVersionParameter');
    expect(refusal('Microsoft.MachineLearningServices', '2025-12-01-preview')).toBe('NoRegisteredProviderFound');
    expect(refusal('Microsoft.MachineLearningServices', '2025-11-30')).toBe('NoRegisteredProviderFound');
  });

  it('knows a compute-instance property from the first version that has it on, and never for an unknown version', () => {
    expect(['2025-09-01', '2025-12-01', '2026-07-01'].map((v) => hasComputeInstanceProperty(v, 'idleTimeBeforeShutdown'))).toEqual([false, true, true]);
    expect(['2022-05-01', '2022-10-01'].map((v) => hasComputeInstanceProperty(v, 'schedules'))).toEqual([false, true]);
    expect(hasComputeInstanceProperty('2030-01-01', 'vmSize')).toBe(false);
  });

  it("matches Azure's deployment schemas where they are at hand", () => {
    const dir = process.env.ARM_SCHEMAS_DIR;
    if (!dir || !fs.existsSync(dir)) {
      console.log('api-versions table not compared with the deployment schemas: ARM_SCHEMAS_DIR is not set.');
      return;
    }
    const since: Record<string, string> = {};
    const mlVersions: string[] = [];
    const authorizationVersions: string[] = [];
    for (const version of fs.readdirSync(dir).filter((name) => /^\d{4}-\d{2}-\d{2}$/.test(name)).sort()) {
      const ml = path.join(dir, version, 'Microsoft.MachineLearningServices.json');
      if (fs.existsSync(ml)) {
        mlVersions.push(version);
        const schema = JSON.parse(fs.readFileSync(ml, 'utf8'));
        for (const property of Object.keys(schema.definitions?.ComputeInstanceProperties?.properties ?? {})) since[property] ??= version;
      }
      if (fs.existsSync(path.join(dir, version, 'Microsoft.Authorization.json'))) authorizationVersions.push(version);
    }
    expect(mlVersions.length).toBeGreaterThan(0);
    expect(PUBLISHED_API_VERSIONS['Microsoft.MachineLearningServices']).toEqual(expect.arrayContaining(mlVersions));
    expect(PUBLISHED_API_VERSIONS['Microsoft.Authorization']).toEqual(expect.arrayContaining(authorizationVersions));
    expect(table.computeInstancePropertiesSince).toEqual(since);
  });
});
