/**
 * The parts of host.json this host honours, validated once at start-up with every problem listed.
 * Missing host.json means Azure's defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { VersioningOptions } from '../durable-engine';
import { resolveSettingReferences, type AppSettings } from './app-settings';

const HostJsonSchema = z.looseObject({
  version: z.string().optional(),
  extensions: z
    .looseObject({
      http: z.looseObject({ routePrefix: z.string().optional() }).optional(),
      durableTask: z
        .looseObject({
          hubName: z.string().optional(),
          overridableExistingInstanceStates: z.enum(['NonRunningStates', 'AnyState']).optional(),
          maxConcurrentActivityFunctions: z.number().int().positive().optional(),
          maxConcurrentOrchestratorFunctions: z.number().int().positive().optional(),
          defaultVersion: z.string().optional(),
          versionMatchStrategy: z.enum(['None', 'Strict', 'CurrentOrOlder']).optional(),
          versionFailureStrategy: z.enum(['Reject', 'Fail']).optional(),
          storageProvider: z
            .looseObject({ connectionStringName: z.string().optional(), connectionName: z.string().optional() })
            .optional(),
        })
        .optional(),
    })
    .optional(),
});

export interface HostConfig {
  /** Path segment before every HTTP route; "" for none. Azure's default is "api". */
  routePrefix: string;
  durable: {
    hubName: string;
    /** Whether starting an instance id that is still running replaces it (AnyState) or is refused (NonRunningStates, our default). */
    overridableExistingInstanceStates: 'NonRunningStates' | 'AnyState';
    maxConcurrentActivityFunctions: number | undefined;
    maxConcurrentOrchestratorFunctions: number | undefined;
    /** Name of the app setting holding the storage connection string. */
    connectionSettingName: string;
    /** Orchestration versioning (defaultVersion given to new instances; which versions this worker runs). */
    versioning: VersioningOptions;
  };
  /** False when there was no host.json and defaults were used. */
  found: boolean;
}

export class HostConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostConfigError';
  }
}

export const DEFAULT_HUB_NAME = 'TestHubName';

export function loadHostConfig(appDir: string, settings: AppSettings): HostConfig {
  const file = join(appDir, 'host.json');
  if (!existsSync(file)) return toHostConfig({}, settings, false);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new HostConfigError(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = HostJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new HostConfigError(`${file} is not valid:\n${problems.join('\n')}`);
  }
  return toHostConfig(parsed.data, settings, true);
}

function toHostConfig(json: z.infer<typeof HostJsonSchema>, settings: AppSettings, found: boolean): HostConfig {
  const durable = json.extensions?.durableTask;
  const hubName = resolveSettingReferences(durable?.hubName ?? DEFAULT_HUB_NAME, settings);
  // Task hub names become table name prefixes: letters and digits, starting with a letter.
  if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(hubName)) {
    throw new HostConfigError(`extensions.durableTask.hubName "${hubName}" must be 3-45 letters or digits, starting with a letter`);
  }
  const routePrefix = (json.extensions?.http?.routePrefix ?? 'api').replace(/^\/+|\/+$/g, '');
  return {
    routePrefix,
    durable: {
      hubName,
      overridableExistingInstanceStates: durable?.overridableExistingInstanceStates ?? 'NonRunningStates',
      maxConcurrentActivityFunctions: durable?.maxConcurrentActivityFunctions,
      maxConcurrentOrchestratorFunctions: durable?.maxConcurrentOrchestratorFunctions,
      connectionSettingName:
        durable?.storageProvider?.connectionStringName ?? durable?.storageProvider?.connectionName ?? 'AzureWebJobsStorage',
      versioning: {
        defaultVersion: durable?.defaultVersion === undefined ? undefined : resolveSettingReferences(durable.defaultVersion, settings),
        matchStrategy: durable?.versionMatchStrategy ?? 'CurrentOrOlder',
        failureStrategy: durable?.versionFailureStrategy ?? 'Reject',
      },
    },
    found,
  };
}
