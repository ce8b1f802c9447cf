/**
 * Per-project compute settings: what an admin sets as tags on a project's resource group, with
 * the control plane's settings of the same meaning as defaults (the tag wins). One pure module
 * reads and checks every value, so a bad one is reported by name — the tag or the setting it came
 * from — and never reaches Azure half-formed.
 *
 * | tag | setting | instance property |
 * |---|---|---|
 * | aml-jupyterhub-subnet | COMPUTE_SUBNET_ID | subnet.id |
 * | aml-jupyterhub-public-ip | COMPUTE_NODE_PUBLIC_IP | enableNodePublicIp |
 * | aml-jupyterhub-setup-script | COMPUTE_SETUP_SCRIPT | setupScripts.scripts.creationScript |
 * | aml-jupyterhub-startup-script | COMPUTE_STARTUP_SCRIPT | setupScripts.scripts.startupScript |
 * | aml-jupyterhub-sso | COMPUTE_ENABLE_SSO | enableSSO |
 * | aml-jupyterhub-custom-services | COMPUTE_CUSTOM_SERVICES | customServices |
 */
import { z } from 'zod';

export type ComputeSettingKey = 'subnetId' | 'enableNodePublicIp' | 'creationScript' | 'startupScript' | 'enableSso' | 'customServices';

/** Where each value may come from: the resource group's tag, else the setting. */
export const COMPUTE_SETTING_SOURCES: Record<ComputeSettingKey, { tag: string; setting: string }> = {
  subnetId: { tag: 'aml-jupyterhub-subnet', setting: 'COMPUTE_SUBNET_ID' },
  enableNodePublicIp: { tag: 'aml-jupyterhub-public-ip', setting: 'COMPUTE_NODE_PUBLIC_IP' },
  creationScript: { tag: 'aml-jupyterhub-setup-script', setting: 'COMPUTE_SETUP_SCRIPT' },
  startupScript: { tag: 'aml-jupyterhub-startup-script', setting: 'COMPUTE_STARTUP_SCRIPT' },
  enableSso: { tag: 'aml-jupyterhub-sso', setting: 'COMPUTE_ENABLE_SSO' },
  customServices: { tag: 'aml-jupyterhub-custom-services', setting: 'COMPUTE_CUSTOM_SERVICES' },
};

const KEYS = Object.keys(COMPUTE_SETTING_SOURCES) as ComputeSettingKey[];

/** The raw text of each value, as a setting holds it (absent: not set). */
export type ComputeSettingDefaults = Partial<Record<ComputeSettingKey, string>>;

/** Azure ML's CustomService (customServices in ComputeInstanceProperties, api-version 2025-12-01). */
export interface CustomService {
  name: string;
  image?: { type?: 'docker' | 'azureml'; reference?: string; version?: string };
  docker?: { privileged?: boolean };
  environmentVariables?: Record<string, { type?: 'local'; value?: string }>;
  endpoints?: { name?: string; target?: number; published?: number; protocol?: 'tcp' | 'udp' | 'http'; hostIp?: string }[];
  volumes?: { type?: 'bind' | 'volume' | 'tmpfs' | 'npipe'; readOnly?: boolean; source?: string; target?: string; consistency?: string }[];
  kernel?: Record<string, unknown>;
}

/** What a project's instances are created with; null: Azure's default (the property is not sent). */
export interface ComputeSettings {
  subnetId: string | null;
  enableNodePublicIp: boolean | null;
  /** Paths in the workspace's default datastore (its file share), e.g. Users/admin/setup.sh. */
  creationScript: string | null;
  startupScript: string | null;
  enableSso: boolean | null;
  customServices: CustomService[] | null;
}

export const NO_COMPUTE_SETTINGS: ComputeSettings = {
  subnetId: null, enableNodePublicIp: null, creationScript: null, startupScript: null, enableSso: null, customServices: null,
};

/** One bad value: `name` is the tag or setting it came from. */
export interface ComputeSettingProblem {
  name: string;
  message: string;
}

export type ComputeSettingsResult =
  | { ok: true; settings: ComputeSettings; sources: Partial<Record<ComputeSettingKey, string>> }
  | { ok: false; problems: ComputeSettingProblem[] };

/**
 * The project's settings: each value from the resource group's tag when it has one (an empty tag
 * counts as not set), else from the setting. Every bad value is reported, not just the first.
 */
export function resolveComputeSettings(tags: Record<string, string>, defaults: ComputeSettingDefaults): ComputeSettingsResult {
  const settings: ComputeSettings = { ...NO_COMPUTE_SETTINGS };
  const sources: Partial<Record<ComputeSettingKey, string>> = {};
  const problems: ComputeSettingProblem[] = [];
  for (const key of KEYS) {
    const { tag, setting } = COMPUTE_SETTING_SOURCES[key];
    const tagged = tagValue(tags, tag);
    const raw = tagged ?? nonEmpty(defaults[key]);
    if (raw === undefined) continue;
    const name = tagged !== undefined ? `tag ${tag}` : setting;
    const parsed = parseComputeSetting(key, raw);
    if (parsed.ok) {
      (settings as unknown as Record<string, unknown>)[key] = parsed.value;
      sources[key] = name;
    } else {
      problems.push({ name, message: parsed.message });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, settings, sources };
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

/** Reads one value (from a tag or a setting); also used to check the settings at start-up. */
export function parseComputeSetting(key: ComputeSettingKey, raw: string): Parsed {
  const value = raw.trim();
  switch (key) {
    case 'subnetId':
      return parseSubnetId(value)
        ? { ok: true, value }
        : {
            ok: false,
            message: `'${clip(value)}' is not a subnet resource id: expected /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<network>/subnets/<subnet>.`,
          };
    case 'enableNodePublicIp':
    case 'enableSso':
      return parseBoolean(value);
    case 'creationScript':
    case 'startupScript':
      return parseScriptPath(value);
    case 'customServices':
      return parseCustomServices(value);
  }
}

export interface SubnetRef {
  subscriptionId: string;
  resourceGroup: string;
  virtualNetwork: string;
  subnet: string;
}

const SUBNET_ID =
  /^\/subscriptions\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\/resourceGroups\/([-\w._()]{1,90})\/providers\/Microsoft\.Network\/virtualNetworks\/([A-Za-z0-9][-\w.]{0,62}[\w]?)\/subnets\/([A-Za-z0-9][-\w.]{0,78}[\w]?)$/i;

/** The parts of a subnet resource id, or null when the text is not one. */
export function parseSubnetId(value: string): SubnetRef | null {
  const match = SUBNET_ID.exec(value);
  if (!match) return null;
  const [, subscriptionId = '', resourceGroup = '', virtualNetwork = '', subnet = ''] = match;
  if (resourceGroup.endsWith('.')) return null;
  return { subscriptionId, resourceGroup, virtualNetwork, subnet };
}

/**
 * The subnet as ARM describes it (null: it does not exist) against the workspace's region: Azure
 * ML places the instance in the subnet, so both must be in one region. Null when it fits.
 */
export function subnetProblem(
  name: string, subnetId: string, found: { location: string } | null, workspaceLocation: string,
): ComputeSettingProblem | null {
  if (found === null) {
    return { name, message: `subnet ${subnetId} does not exist (or the control plane's identity cannot read it).` };
  }
  if (normalizeLocation(found.location) !== normalizeLocation(workspaceLocation)) {
    return {
      name,
      message: `subnet ${subnetId} is in region ${found.location}, but the project's workspace is in ${workspaceLocation}; a compute instance can only join a subnet in its workspace's region.`,
    };
  }
  return null;
}

function parseBoolean(value: string): Parsed {
  const lower = value.toLowerCase();
  if (lower === 'true') return { ok: true, value: true };
  if (lower === 'false') return { ok: true, value: false };
  return { ok: false, message: `'${clip(value)}' is not 'true' or 'false'.` };
}

/**
 * A script is a file in the workspace's default datastore (the file share every instance mounts):
 * a relative path of plain segments, e.g. Users/admin/setup.sh. No scheme, no `..`, no control
 * characters, no leading slash.
 */
function parseScriptPath(value: string): Parsed {
  const segments = value.split('/');
  const valid =
    value.length > 0 &&
    value.length <= 1024 &&
    !value.startsWith('/') &&
    !/[\p{Cc}\\:*?"<>|]/u.test(value) &&
    segments.every((segment) => segment !== '' && segment !== '.' && segment !== '..');
  return valid
    ? { ok: true, value }
    : {
        ok: false,
        message: `'${clip(value)}' is not a path in the workspace's default datastore: expected a relative path such as Users/admin/setup.sh (no leading '/', no '..', no '\\', ':', '*', '?', '"', '<', '>', '|').`,
      };
}

const SERVICE_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,31}$/;

const CustomServiceSchema = z.looseObject({
  name: z.string().regex(SERVICE_NAME, 'a name of 1-32 letters, digits and hyphens, a letter first'),
  image: z.looseObject({
    type: z.enum(['docker', 'azureml']).optional(),
    reference: z.string().min(1).optional(),
    version: z.string().optional(),
  }).optional(),
  docker: z.looseObject({ privileged: z.boolean().optional() }).optional(),
  environmentVariables: z.record(z.string(), z.looseObject({ type: z.literal('local').optional(), value: z.string().optional() })).optional(),
  endpoints: z.array(z.looseObject({
    name: z.string().min(1).optional(),
    target: z.number().int().min(1).max(65535).optional(),
    published: z.number().int().min(1).max(65535).optional(),
    protocol: z.enum(['tcp', 'udp', 'http']).optional(),
    hostIp: z.string().optional(),
  })).optional(),
  volumes: z.array(z.looseObject({
    type: z.enum(['bind', 'volume', 'tmpfs', 'npipe']).optional(),
    readOnly: z.boolean().optional(),
    source: z.string().optional(),
    target: z.string().optional(),
    consistency: z.string().optional(),
  })).optional(),
  kernel: z.record(z.string(), z.unknown()).optional(),
});

/** A JSON array of Azure ML CustomService objects (the REST example's RStudio is one). */
function parseCustomServices(value: string): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return { ok: false, message: 'is not JSON: expected an array of Azure ML customServices objects, e.g. [{"name":"rstudio","image":{"type":"docker","reference":"…"},"endpoints":[{"name":"connect","target":8787,"published":8787,"protocol":"http"}]}].' };
  }
  const parsed = z.array(CustomServiceSchema).min(1).safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'value'}: ${issue.message}`);
    return { ok: false, message: `is not a valid customServices list (${where.join('; ')}).` };
  }
  const names = parsed.data.map((service) => service.name.toLowerCase());
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated) return { ok: false, message: `names the custom service '${repeated}' twice.` };
  return { ok: true, value: parsed.data as CustomService[] };
}

/** "Invalid compute settings for project x: tag aml-jupyterhub-subnet: …; COMPUTE_ENABLE_SSO: …". */
export function describeProblems(project: string, problems: readonly ComputeSettingProblem[]): string {
  return `Project '${project}' has invalid compute settings, so no server was created or started: ${problems
    .map((problem) => `${problem.name}: ${problem.message}`)
    .join(' ')} Fix the tag on the project's resource group (or the control plane's setting).`;
}

function tagValue(tags: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(tags).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : nonEmpty(tags[key]);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function clip(value: string): string {
  return value.length > 120 ? `${value.slice(0, 117)}…` : value;
}

function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}
