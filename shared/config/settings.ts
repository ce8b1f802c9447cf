/**
 * Every setting the control plane reads, declared once, validated once at start-up.
 * `loadSettings` reports every bad or missing setting in one message, by setting name.
 * `SETTINGS_SCHEMA` is also the source for local.settings.template.json and the deployment template.
 */
import { z } from 'zod';
import { SIZE_LABELS, type SizeLabel } from '../domain/server';
import { parseAmounts } from '../domain/usage';
import { parseComputeSetting, type ComputeSettingDefaults, type ComputeSettingKey } from '../domain/compute-settings';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const VM_SIZE = /^[A-Za-z0-9_]+$/;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** Durations may be fractional (0.05 minutes in a test); they must be positive. */
const positiveNumber = (fallback: number) => z.coerce.number().positive().default(fallback);
const nonNegativeNumber = (fallback: number) => z.coerce.number().min(0).default(fallback);

/** Built-in role definition ids (the same in every tenant): Contributor, AzureML Data Scientist, Owner. */
export const DEFAULT_RBAC_ROLE_DEFINITION_IDS = [
  'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'f6c7c914-8db3-469d-8ca1-694a8f32e121',
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
];

const guidList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((item) => item.trim().toLowerCase()).filter((item) => item !== ''))
    .pipe(z.array(z.string().regex(GUID, 'role definition ids are GUIDs')).min(1));

const vmSizeList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''))
    .pipe(z.array(z.string().regex(VM_SIZE, 'VM size names are letters, digits and underscores')).min(1));

/** A size's description: one line of plain text for the spawn form. */
const sizeDescription = z.string().trim().min(1).max(200).regex(/^[^\p{Cc}]*$/u, 'one line of text, no control characters').optional();

const projectAccess = z
  .string()
  .default('all')
  .transform((value, ctx) => {
    if (value === 'all') return { mode: 'all' as const };
    const tag = /^tag:(.+)$/.exec(value);
    if (tag) return { mode: 'tag' as const, tag: tag[1] };
    const contains = /^name-contains:(.+)$/.exec(value);
    if (contains) return { mode: 'name-contains' as const, text: contains[1] };
    if (value === 'rbac') return { mode: 'rbac' as const };
    ctx.addIssue({ code: 'custom', message: "expected 'all', 'rbac', 'tag:<tag name>' or 'name-contains:<text>'" });
    return z.NEVER;
  });

/** `name=amount,...`: project budgets, or price overrides keyed `region/vmsize` or `vmsize`. */
const amountList = z.string().transform((value, ctx) => {
  const { amounts, problems } = parseAmounts(value);
  for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem });
  return amounts;
});

/** A per-project compute setting's default (domain/compute-settings.ts reads and checks it, as it does the tag). */
const computeSetting = (key: ComputeSettingKey) =>
  z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined || value.trim() === '') return;
      const parsed = parseComputeSetting(key, value);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
    });

/** Azure ML's applicationSharingPolicy values. */
export const APPLICATION_SHARING_POLICIES = ['Personal', 'Shared'] as const;
export type ApplicationSharingPolicy = (typeof APPLICATION_SHARING_POLICIES)[number];

export const AUTH_MODES = ['key', 'entra', 'key-or-entra'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Signing keys come over https, or plain http from this machine (the local token issuer). */
const keySetUrl = z.url().refine((value) => {
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
}, 'must be an https URL (or http on 127.0.0.1)');

/**
 * The settings by environment variable name. `describe` text documents each one
 * (the template and README are generated from it).
 */
export const SETTINGS_SCHEMA = z.object({
  AZURE_SUBSCRIPTION_ID: z.string().regex(GUID, 'must be a subscription GUID').describe(
    'Subscription that holds the projects (resource groups with a same-named Azure ML workspace).',
  ),
  ARM_ENDPOINT: z.url({ protocol: /^https$/ }).default('https://management.azure.com').describe(
    'Azure Resource Manager endpoint. The local stack points it at the ARM emulator (https://127.0.0.1:7072).',
  ),
  HUB_ID: z.string().regex(/^[a-z0-9-]{1,32}$/, '1-32 lower-case letters, digits and dashes').default('hub').describe(
    "Names this hub: it is part of every server id and tags every instance, so two hubs (staging and production) on one subscription never share an instance. Changing it orphans the existing servers' ids.",
  ),
  APPLICATION_SHARING_POLICY: z.enum(APPLICATION_SHARING_POLICIES).default('Personal').describe(
    "Azure ML applicationSharingPolicy of every instance created: 'Personal' (only the person it is assigned to can open it; a spawn must carry the person's Entra object id, userObjectId) or 'Shared' (every user of the workspace can open it; no object id needed).",
  ),
  STATE_STORAGE_CONNECTION_STRING: z.string().min(1).optional().describe(
    'Connection string of the storage account holding server state (UseDevelopmentStorage=true for Azurite). Set this or STATE_TABLE_ENDPOINT.',
  ),
  STATE_TABLE_ENDPOINT: z.url().optional().describe(
    'Table endpoint of the state storage account, reached with the managed identity (https://<account>.table.core.windows.net). Set this or STATE_STORAGE_CONNECTION_STRING.',
  ),
  STATE_TABLE_NAME: z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,56}$/, '3-57 letters and digits, a letter first').default('servers').describe(
    'Table holding one entity per server; an index table named <name>active sits beside it.',
  ),
  PROJECT_ACCESS: projectAccess.describe(
    "Which projects are offered: 'rbac' (recommended: those whose resource group grants the user, directly or through a group, one of RBAC_ROLE_DEFINITION_IDS; needs the user's Entra object id), 'all', 'tag:<name>' (resource groups carrying that tag) or 'name-contains:<text>'.",
  ),
  RBAC_ROLE_DEFINITION_IDS: guidList(DEFAULT_RBAC_ROLE_DEFINITION_IDS.join(',')).describe(
    'With PROJECT_ACCESS rbac: comma-separated role definition ids, any of which on a project resource group (or above it) offers the project (default: Contributor, AzureML Data Scientist, Owner).',
  ),
  RBAC_CACHE_SECONDS: positiveInt(60).describe(
    "With PROJECT_ACCESS rbac: seconds a user's role assignments on a project are cached.",
  ),
  MAX_ACTIVE_SERVERS_PER_USER: positiveInt(3).describe(
    'Most servers one user may have provisioning or running at once; a spawn over it is refused with 409.',
  ),
  MAX_GPU_SERVERS_PER_PROJECT: positiveInt(4).describe(
    'Most GPU-size servers one project may have provisioning or running at once; a spawn over it is refused with 409.',
  ),
  ARM_WRITE_BURST: positiveInt(150).describe(
    "Creates and starts the app may send at once after a quiet period; it also sets how late a queued turn may still be used, (burst - 3) / ARM_WRITE_PER_SECOND seconds. ARM allows 200 writes in a burst per subscription and principal; the margin covers stops and deletes.",
  ),
  ARM_WRITE_PER_SECOND: positiveNumber(8).describe(
    "Creates and starts per second the app sends in the long run, queued in request order. ARM refills 10 writes per second per subscription and principal; the margin covers stops and deletes.",
  ),
  SIZE_SMALL_CANDIDATES: vmSizeList('Standard_DS1_v2').describe('VM sizes for Small, first available in the region wins.'),
  SIZE_MEDIUM_CANDIDATES: vmSizeList('Standard_DS3_v2').describe('VM sizes for Medium, first available wins.'),
  SIZE_LARGE_CANDIDATES: vmSizeList('Standard_DS5_v2').describe('VM sizes for Large, first available wins.'),
  SIZE_GPU_CANDIDATES: vmSizeList('Standard_NC4as_T4_v3,Standard_NC6s_v3').describe('VM sizes for GPU, first available wins.'),
  SIZE_SMALL_DESCRIPTION: sizeDescription.describe(
    'Optional words the spawn form shows under Small (e.g. "For everyday notebooks"); the form always shows cores, memory and GPUs.',
  ),
  SIZE_MEDIUM_DESCRIPTION: sizeDescription.describe('Optional words the spawn form shows under Medium.'),
  SIZE_LARGE_DESCRIPTION: sizeDescription.describe('Optional words the spawn form shows under Large.'),
  SIZE_GPU_DESCRIPTION: sizeDescription.describe('Optional words the spawn form shows under GPU (e.g. "For training deep-learning models").'),
  IDLE_STOP_MINUTES_SMALL: positiveNumber(120).describe(
    "Minutes without activity on the instance (Jupyter kernels, terminals, sessions) after which Azure ML's idle shutdown stops a Small server (idleTimeBeforeShutdown).",
  ),
  IDLE_STOP_MINUTES_MEDIUM: positiveNumber(120).describe('Minutes without activity on the instance after which Azure ML stops a Medium server.'),
  IDLE_STOP_MINUTES_LARGE: positiveNumber(60).describe('Minutes without activity on the instance after which Azure ML stops a Large server.'),
  IDLE_STOP_MINUTES_GPU: positiveNumber(30).describe('Minutes without activity on the instance after which Azure ML stops a GPU server.'),
  IDLE_SHUTDOWN_FLOOR_MINUTES: nonNegativeNumber(15).describe(
    "Azure ML's smallest idle shutdown: an IDLE_STOP_MINUTES_<SIZE> below it is raised to it (with a start-up warning). Keep Azure's 15; tests against the emulator lower it.",
  ),
  ORPHAN_DELETE_AFTER_HOURS: positiveNumber(72).describe(
    "Hours after which an instance of this hub (tag aml-jupyterhub-hub) that has no stored server, and that the sweep has stopped, is deleted.",
  ),
  MAX_RUNTIME_HOURS: positiveNumber(12).describe('Hours after which a running server is stopped whatever its activity.'),
  IDLE_SWEEP_SCHEDULE: z.string().regex(/^\S+( \S+){5}$/, 'must be a six-field NCRONTAB expression').default('0 */5 * * * *').describe(
    'NCRONTAB schedule of the idle sweep (six fields, seconds first).',
  ),
  SCHEDULE_SWEEP_SCHEDULE: z.string().regex(/^\S+( \S+){5}$/, 'must be a six-field NCRONTAB expression').default('0 * * * * *').describe(
    'NCRONTAB schedule of the class-schedule sweep (six fields, seconds first), which launches sessions\' servers ahead of their start and stops them at their end.',
  ),
  SCHEDULE_IN_USE_MINUTES: positiveNumber(10).describe(
    "Minutes: at the end of a scheduled session, each running server's Azure ML idle shutdown is shortened to this (raised to IDLE_SHUTDOWN_FLOOR_MINUTES): an instance no one works on stops at once, one in use once idle this long, recorded with stopReason schedule.",
  ),
  PROVISION_POLL_SECONDS: positiveNumber(3).describe("Longest pause in seconds between two looks of a project's watcher (one compute list for all its instances) while any of them is being created or started; a cheap look is followed sooner, every second at most, spreading a look's ARM reads over 10 a second."),
  PROVISION_TIMEOUT_MINUTES: positiveNumber(25).describe('Minutes after which a create or start that has not reached Running is reported failed.'),
  EXPECTED_CREATE_SECONDS: positiveNumber(360).describe(
    'Seconds a create is expected to take before any has completed in a region and VM size; afterwards the recent completed creates decide (timing and progress).',
  ),
  EXPECTED_START_SECONDS: positiveNumber(180).describe(
    'Seconds a start is expected to take before any has completed in a region and VM size; afterwards the recent completed starts decide.',
  ),
  STOP_POLL_SECONDS: positiveNumber(3).describe("Seconds between two looks of a project's watcher while any of its instances is being stopped or deleted."),
  CATALOG_CACHE_SECONDS: positiveInt(300).describe('Seconds the project list and the region VM-size list are cached.'),
  BUSY_RETRY_AFTER_SECONDS: positiveInt(15).describe('Retry-After sent with 409 when a server is stopping or deleting.'),
  LIST_PAGE_SIZE_MAX: positiveInt(200).describe('Largest page the admin listing returns.'),
  USAGE_TABLE_NAME: z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, '3-63 letters and digits, a letter first').default('usage').describe(
    'Table holding the usage ledger: one row per Running interval of a server (start, end, VM size, region, project, user).',
  ),
  PRICES_ENDPOINT: z.url().default('https://prices.azure.com/api/retail/prices').describe(
    'The Azure Retail Prices API (public, no credential), asked for the pay-as-you-go Linux price of each VM size per region and cached a day. The local stack points it at the ARM emulator.',
  ),
  PRICE_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD').default('USD').describe(
    'Currency of prices, costs and budgets (the Retail Prices API currencyCode).',
  ),
  PRICE_OVERRIDES: amountList.optional().describe(
    'Negotiated hourly prices that win over the Retail Prices API: comma-separated <region>/<vmSize>=<price> or <vmSize>=<price>, e.g. westeurope/Standard_DS3_v2=0.21,Standard_NC6s_v3=2.5.',
  ),
  PROJECT_BUDGETS: amountList.optional().describe(
    "Monthly budget per project in PRICE_CURRENCY, e.g. climate-lab=500,ocean-lab=200; wins over the resource group's tag aml-jupyterhub-budget. At 80% the spawn form warns; at 100% new spawns in the project are refused.",
  ),
  BUDGET_STOP_AT_LIMIT: z.enum(['true', 'false']).default('false').describe(
    "When 'true', the sweep also stops the running servers of a project that has used its month's budget (stopReason budget); otherwise they are left alone.",
  ),
  COMPUTE_SUBNET_ID: computeSetting('subnetId').describe(
    "Subnet every project's compute instances join (subnet.id), a resource id /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<network>/subnets/<subnet> in the workspace's region; the resource group's tag aml-jupyterhub-subnet wins. Unset: no subnet (Azure's default network).",
  ),
  COMPUTE_NODE_PUBLIC_IP: computeSetting('enableNodePublicIp').describe(
    "'true' or 'false': whether instances get a public IP (enableNodePublicIp; 'false' for private workspaces, which then need a subnet or a managed network); the tag aml-jupyterhub-public-ip wins. Unset: Azure's default (a public IP).",
  ),
  COMPUTE_SETUP_SCRIPT: computeSetting('creationScript').describe(
    "Creation script run once when an instance is created (setupScripts.scripts.creationScript): a path in the workspace's default datastore, e.g. Users/admin/setup.sh; the tag aml-jupyterhub-setup-script wins.",
  ),
  COMPUTE_STARTUP_SCRIPT: computeSetting('startupScript').describe(
    "Startup script run at every start of an instance (setupScripts.scripts.startupScript): a path in the workspace's default datastore; the tag aml-jupyterhub-startup-script wins.",
  ),
  COMPUTE_ENABLE_SSO: computeSetting('enableSso').describe(
    "'true' or 'false': Azure ML single sign-on on the instances (enableSSO); the tag aml-jupyterhub-sso wins. Unset: Azure's default.",
  ),
  COMPUTE_CUSTOM_SERVICES: computeSetting('customServices').describe(
    'Custom services every instance runs (customServices): a JSON array of Azure ML CustomService objects, e.g. RStudio from a Docker image; the tag aml-jupyterhub-custom-services wins. They are offered as landing choices.',
  ),
  AUTH_MODE: z.enum(AUTH_MODES).default('key').describe(
    "How callers authenticate: 'key' (HUB_API_KEY in the x-functions-key header; grants the Hub and Admin roles), 'entra' (an Entra ID access token with app role Hub or Admin, or a user's own token) or 'key-or-entra' (either).",
  ),
  HUB_API_KEY: z
    .string()
    .min(1)
    // An unresolved Key Vault reference reaches the app as its literal text: a guessable "key".
    .refine((value) => !value.startsWith('@Microsoft.KeyVault('), 'is an unresolved Key Vault reference; check the identity can read the secret')
    .optional()
    .describe(
    "The shared key the hub sends in x-functions-key when AUTH_MODE is 'key' or 'key-or-entra'. A secret: in Azure a Key Vault reference, never a literal in a template.",
  ),
  ENTRA_TENANT_ID: z.string().regex(GUID, 'must be a tenant GUID').optional().describe(
    "Entra ID tenant that issues the callers' tokens; the issuer and key set URLs derive from it. Also the tenant of a person's object id sent without a tenantId (default: the subscription's tenant).",
  ),
  ENTRA_API_CLIENT_ID: z.string().regex(GUID, 'must be an application (client) id GUID').optional().describe(
    "Application (client) id of the control plane's API app registration (app roles Hub and Admin); accepted as a token audience.",
  ),
  ENTRA_AUDIENCE: z.string().min(1).optional().describe(
    "Audience the access tokens must carry (the API app's Application ID URI, e.g. api://<client id>).",
  ),
  ENTRA_ISSUER: z.url().optional().describe(
    'Token issuer to accept. Default: https://login.microsoftonline.com/<ENTRA_TENANT_ID>/v2.0.',
  ),
  ENTRA_JWKS_URI: keySetUrl.optional().describe(
    'Where the token signing keys are published (https, or http on loopback). Default: https://login.microsoftonline.com/<ENTRA_TENANT_ID>/discovery/v2.0/keys.',
  ),
});

/** Rules across settings, checked even when single settings are bad, so one message lists everything. */
function crossSettingProblems(values: Record<string, string | undefined>): string[] {
  const stateSources = [values.STATE_STORAGE_CONNECTION_STRING, values.STATE_TABLE_ENDPOINT].filter((value) => value !== undefined);
  const problems = stateSources.length === 1 ? [] : ['STATE_STORAGE_CONNECTION_STRING / STATE_TABLE_ENDPOINT: set exactly one of them'];
  const mode = values.AUTH_MODE ?? 'key';
  if ((mode === 'key' || mode === 'key-or-entra') && values.HUB_API_KEY === undefined) {
    problems.push(`HUB_API_KEY: missing (AUTH_MODE is '${mode}')`);
  }
  if (mode === 'entra' || mode === 'key-or-entra') {
    if (values.ENTRA_TENANT_ID === undefined && (values.ENTRA_ISSUER === undefined || values.ENTRA_JWKS_URI === undefined)) {
      problems.push(`ENTRA_TENANT_ID: missing (AUTH_MODE is '${mode}'; or set both ENTRA_ISSUER and ENTRA_JWKS_URI)`);
    }
    if (values.ENTRA_AUDIENCE === undefined && values.ENTRA_API_CLIENT_ID === undefined) {
      problems.push(`ENTRA_AUDIENCE / ENTRA_API_CLIENT_ID: set at least one (AUTH_MODE is '${mode}')`);
    }
  }
  return problems;
}

export type RawSettings = z.infer<typeof SETTINGS_SCHEMA>;

export type ProjectAccess = RawSettings['PROJECT_ACCESS'];

/** The settings as the code uses them, grouped by concern. */
export interface Settings {
  hubId: string;
  subscriptionId: string;
  applicationSharingPolicy: ApplicationSharingPolicy;
  /** ENTRA_TENANT_ID: the tenant of a person's object id sent without a tenantId; null falls back to the subscription's tenant. */
  entraTenantId: string | null;
  armEndpoint: string;
  state: { connectionString?: string; tableEndpoint?: string; tableName: string };
  projectAccess: ProjectAccess;
  rbac: { roleDefinitionIds: string[]; cacheSeconds: number };
  quotas: { maxActiveServersPerUser: number; maxGpuServersPerProject: number };
  /** The pace of creates and starts (ARM's write bucket, with a margin). */
  armWrites: { burst: number; perSecond: number };
  sizeCandidates: Record<SizeLabel, string[]>;
  /** Words shown with each size in the spawn form; null when not set. */
  sizeDescriptions: Record<SizeLabel, string | null>;
  idleStopMinutes: Record<SizeLabel, number>;
  idleShutdownFloorMinutes: number;
  orphanDeleteAfterHours: number;
  maxRuntimeHours: number;
  idleSweepSchedule: string;
  /** Class schedules: the sweep's cadence, and how recent an activity keeps a server past its session's end. */
  schedules: { sweepSchedule: string; inUseMinutes: number };
  provisionPollSeconds: number;
  provisionTimeoutMinutes: number;
  stopPollSeconds: number;
  /** Expected launch durations before there are learned ones. */
  launchDefaults: { createSeconds: number; startSeconds: number };
  catalogCacheSeconds: number;
  busyRetryAfterSeconds: number;
  listPageSizeMax: number;
  cost: CostSettings;
  auth: AuthSettings;
  /** Defaults of the per-project compute settings (COMPUTE_*); a resource group's tag wins. */
  computeDefaults: ComputeSettingDefaults;
}

export interface CostSettings {
  usageTableName: string;
  pricesEndpoint: string;
  currency: string;
  /** Lower-case `region/vmsize` or `vmsize` → price per hour. */
  priceOverrides: Map<string, number>;
  /** Lower-case project name → monthly budget; wins over the resource-group tag. */
  projectBudgets: Map<string, number>;
  stopAtLimit: boolean;
}

export interface EntraSettings {
  issuer: string;
  jwksUri: string;
  /** Any of these is an acceptable `aud`. */
  audiences: string[];
}

export interface AuthSettings {
  mode: AuthMode;
  /** Set when the mode accepts the key. */
  hubApiKey: string | null;
  /** Set when the mode accepts Entra ID tokens. */
  entra: EntraSettings | null;
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** Reads and validates every setting; throws one `SettingsError` naming each bad or missing setting. */
export function loadSettings(env: Record<string, string | undefined>): Settings {
  const known = Object.fromEntries(
    Object.keys(SETTINGS_SCHEMA.shape).map((name) => [name, env[name] === '' ? undefined : env[name]]),
  );
  const parsed = SETTINGS_SCHEMA.safeParse(known);
  const problems = [
    ...(parsed.error?.issues ?? []).map((issue) => {
      const name = String(issue.path[0] ?? 'settings');
      return known[name] === undefined && issue.code === 'invalid_type' ? `${name}: missing` : `${name}: ${issue.message}`;
    }),
    ...crossSettingProblems(known),
  ];
  if (!parsed.success || problems.length > 0) throw new SettingsError(problems);
  const s = parsed.data;
  const bySize = <T>(pick: (label: SizeLabel) => T): Record<SizeLabel, T> =>
    Object.fromEntries(SIZE_LABELS.map((label) => [label, pick(label)])) as Record<SizeLabel, T>;
  const upper = (label: SizeLabel) => label.toUpperCase() as 'SMALL' | 'MEDIUM' | 'LARGE' | 'GPU';
  return {
    hubId: s.HUB_ID,
    subscriptionId: s.AZURE_SUBSCRIPTION_ID,
    applicationSharingPolicy: s.APPLICATION_SHARING_POLICY,
    entraTenantId: s.ENTRA_TENANT_ID ?? null,
    armEndpoint: s.ARM_ENDPOINT,
    state: {
      connectionString: s.STATE_STORAGE_CONNECTION_STRING,
      tableEndpoint: s.STATE_TABLE_ENDPOINT,
      tableName: s.STATE_TABLE_NAME,
    },
    projectAccess: s.PROJECT_ACCESS,
    rbac: { roleDefinitionIds: s.RBAC_ROLE_DEFINITION_IDS, cacheSeconds: s.RBAC_CACHE_SECONDS },
    quotas: { maxActiveServersPerUser: s.MAX_ACTIVE_SERVERS_PER_USER, maxGpuServersPerProject: s.MAX_GPU_SERVERS_PER_PROJECT },
    armWrites: { burst: s.ARM_WRITE_BURST, perSecond: s.ARM_WRITE_PER_SECOND },
    sizeCandidates: bySize((label) => s[`SIZE_${upper(label)}_CANDIDATES`]),
    sizeDescriptions: bySize((label) => s[`SIZE_${upper(label)}_DESCRIPTION`] ?? null),
    idleStopMinutes: bySize((label) => s[`IDLE_STOP_MINUTES_${upper(label)}`]),
    idleShutdownFloorMinutes: s.IDLE_SHUTDOWN_FLOOR_MINUTES,
    orphanDeleteAfterHours: s.ORPHAN_DELETE_AFTER_HOURS,
    maxRuntimeHours: s.MAX_RUNTIME_HOURS,
    idleSweepSchedule: s.IDLE_SWEEP_SCHEDULE,
    schedules: { sweepSchedule: s.SCHEDULE_SWEEP_SCHEDULE, inUseMinutes: s.SCHEDULE_IN_USE_MINUTES },
    provisionPollSeconds: s.PROVISION_POLL_SECONDS,
    provisionTimeoutMinutes: s.PROVISION_TIMEOUT_MINUTES,
    stopPollSeconds: s.STOP_POLL_SECONDS,
    launchDefaults: { createSeconds: s.EXPECTED_CREATE_SECONDS, startSeconds: s.EXPECTED_START_SECONDS },
    catalogCacheSeconds: s.CATALOG_CACHE_SECONDS,
    busyRetryAfterSeconds: s.BUSY_RETRY_AFTER_SECONDS,
    listPageSizeMax: s.LIST_PAGE_SIZE_MAX,
    cost: {
      usageTableName: s.USAGE_TABLE_NAME,
      pricesEndpoint: s.PRICES_ENDPOINT,
      currency: s.PRICE_CURRENCY,
      priceOverrides: s.PRICE_OVERRIDES ?? new Map(),
      projectBudgets: s.PROJECT_BUDGETS ?? new Map(),
      stopAtLimit: s.BUDGET_STOP_AT_LIMIT === 'true',
    },
    auth: authSettings(s),
    computeDefaults: {
      subnetId: s.COMPUTE_SUBNET_ID,
      enableNodePublicIp: s.COMPUTE_NODE_PUBLIC_IP,
      creationScript: s.COMPUTE_SETUP_SCRIPT,
      startupScript: s.COMPUTE_STARTUP_SCRIPT,
      enableSso: s.COMPUTE_ENABLE_SSO,
      customServices: s.COMPUTE_CUSTOM_SERVICES,
    },
  };
}

function authSettings(s: RawSettings): AuthSettings {
  const acceptsKey = s.AUTH_MODE !== 'entra';
  const acceptsTokens = s.AUTH_MODE !== 'key';
  const authority = `https://login.microsoftonline.com/${s.ENTRA_TENANT_ID ?? ''}`;
  return {
    mode: s.AUTH_MODE,
    hubApiKey: acceptsKey ? (s.HUB_API_KEY ?? null) : null,
    entra: acceptsTokens
      ? {
          issuer: s.ENTRA_ISSUER ?? `${authority}/v2.0`,
          jwksUri: s.ENTRA_JWKS_URI ?? `${authority}/discovery/v2.0/keys`,
          audiences: [s.ENTRA_AUDIENCE, s.ENTRA_API_CLIENT_ID].filter((value): value is string => value !== undefined),
        }
      : null,
  };
}
