import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolveOptions, type ArmEmulatorOptions } from '../arm-emulator/options';
/**
 * The app settings that point the Functions app at the local pieces (Azurite, the ARM emulator and
 * its managed-identity endpoint) — configuration only; the app's code is the same as on Azure.
 */
export const EMULATOR_SUBSCRIPTION_ID = '00000000-0000-0000-0000-00000000a4b1';
export const DEFAULT_FUNCTIONS_KEY = 'local-key';
/**
 * The largest request body the host reads (Azure's app setting; its default is 100 MB): the app
 * accepts JSON bodies of up to 64 KiB, so the host need not hold more of anyone's body in memory.
 */
export const REQUEST_BODY_SIZE_LIMIT = String(64 * 1024);

export interface StackEndpoints {
  /** Azurite (or any storage) connection string for both the app state and the Durable engine. */
  storageConnectionString: string;
  /** The ARM emulator's base URL, or null when the app talks to real Azure. */
  emulatorUrl: string | null;
  /** The local CA the emulator's certificate chains to. */
  caFile: string;
  /** The key the hub presents in x-functions-key (the app's HUB_API_KEY and the host's FUNCTIONS_KEY). */
  functionsKey: string;
  /** The local token issuer, or null to accept the key only. */
  tokenIssuer?: TokenIssuerEndpoints | null;
}

export interface TokenIssuerEndpoints {
  issuer: string;
  jwksUri: string;
  audience: string;
}

/**
 * Until the app has learned how long creates and starts take, it expects Azure's minutes; against
 * the emulator the durations are known, so the first spawns are followed at their own pace.
 */
export function emulatorDurations(emulator: ArmEmulatorOptions): Record<string, string> {
  const resolved = resolveOptions(emulator);
  return { EXPECTED_CREATE_SECONDS: String(resolved.createSeconds), EXPECTED_START_SECONDS: String(resolved.startSeconds) };
}

/**
 * Environment for the host process. Precedence: the app's setting defaults, then the stack's
 * endpoints, then what the caller's environment sets (so any setting can be overridden).
 * NODE_EXTRA_CA_CERTS is the one exception: it must name the stack's trust bundle.
 */
export function hostEnvironment(
  endpoints: StackEndpoints,
  inherited: NodeJS.ProcessEnv,
  settingDefaults: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const local: Record<string, string> = {
    FUNCTIONS_KEY: endpoints.functionsKey,
    HUB_API_KEY: endpoints.functionsKey,
    AzureWebJobsStorage: endpoints.storageConnectionString,
    STATE_STORAGE_CONNECTION_STRING: endpoints.storageConnectionString,
    FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: REQUEST_BODY_SIZE_LIMIT,
  };
  if (endpoints.tokenIssuer) {
    // Entra ID tokens from the local issuer, the key still working: configuration only.
    Object.assign(local, {
      AUTH_MODE: 'key-or-entra',
      ENTRA_ISSUER: endpoints.tokenIssuer.issuer,
      ENTRA_JWKS_URI: endpoints.tokenIssuer.jwksUri,
      ENTRA_AUDIENCE: endpoints.tokenIssuer.audience,
    });
  }
  if (endpoints.emulatorUrl !== null) {
    Object.assign(local, {
      AZURE_SUBSCRIPTION_ID: EMULATOR_SUBSCRIPTION_ID,
      ARM_ENDPOINT: endpoints.emulatorUrl,
      // The App Service managed-identity protocol: DefaultAzureCredential asks the emulator for tokens.
      IDENTITY_ENDPOINT: `${endpoints.emulatorUrl}/msi/token`,
      IDENTITY_HEADER: 'local',
      // The emulator also serves the Retail Prices API's shape for its seeded sizes.
      PRICES_ENDPOINT: `${endpoints.emulatorUrl}/api/retail/prices`,
    });
  }
  return { ...settingDefaults, ...local, ...withoutEmpty(inherited), NODE_EXTRA_CA_CERTS: endpoints.caFile };
}

/**
 * Node trusts one extra CA file; when the environment already names one (a corporate proxy's CA,
 * the system bundle), the stack writes a bundle of both so neither is lost.
 */
export function trustBundle(caFile: string, inheritedExtra: string | undefined, bundleFile: string): string {
  if (!inheritedExtra || !existsSync(inheritedExtra) || inheritedExtra === caFile) return caFile;
  writeFileSync(bundleFile, `${readFileSync(inheritedExtra, 'utf8').trimEnd()}\n${readFileSync(caFile, 'utf8')}`);
  return bundleFile;
}

function withoutEmpty(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}
