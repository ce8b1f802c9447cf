/** Validation of the compute bodies Azure ML accepts (create, idle-shutdown update), with zod. */
import { z } from 'zod';
import { ArmError, badRequest } from './arm-error';

/** Azure ML's compute-instance name rule (swagger): 3-24 characters, not ending in '-<digits>'. */
export const COMPUTE_NAME = /^[a-zA-Z](?![a-zA-Z0-9-]*-\d+$)[a-zA-Z0-9-]{2,23}$/;

const AssignedUser = z.object({ objectId: z.string().min(1), tenantId: z.string().min(1) });

/** Azure ML's ScriptReference: where a setup script is (scriptSource) and which one (scriptData). */
const ScriptReference = z.object({
  scriptSource: z.string().nullish(),
  scriptData: z.string().nullish(),
  scriptArguments: z.string().nullish(),
  timeout: z.string().nullish(),
});
export type ScriptReferenceBody = z.infer<typeof ScriptReference>;

/** Azure ML's CustomService (the schema's shape; unknown fields are Azure's to ignore). */
const CustomService = z.looseObject({
  name: z.string().min(1),
  image: z.looseObject({ type: z.enum(['docker', 'azureml']).optional(), reference: z.string().optional(), version: z.string().optional() }).nullish(),
  docker: z.looseObject({ privileged: z.boolean().nullish() }).nullish(),
  environmentVariables: z.record(z.string(), z.looseObject({ type: z.literal('local').nullish(), value: z.string().nullish() })).nullish(),
  endpoints: z
    .array(z.looseObject({
      name: z.string().nullish(),
      target: z.number().int().nullish(),
      published: z.number().int().nullish(),
      protocol: z.enum(['tcp', 'udp', 'http']).nullish(),
      hostIp: z.string().nullish(),
    }))
    .nullish(),
  volumes: z.array(z.looseObject({ type: z.enum(['bind', 'volume', 'tmpfs', 'npipe']).nullish(), readOnly: z.boolean().nullish(), source: z.string().nullish(), target: z.string().nullish() })).nullish(),
});
export type CustomServiceBody = z.infer<typeof CustomService>;

export const ComputeInstanceBodySchema = z.object({
  location: z.string().min(1).optional(),
  tags: z.record(z.string(), z.string()).nullish(),
  properties: z.looseObject({
    computeType: z.string(),
    description: z.string().nullish(),
    properties: z.looseObject({
      vmSize: z.string().min(1),
      idleTimeBeforeShutdown: z.string().optional(),
      computeInstanceAuthorizationType: z.literal('personal').nullish(),
      applicationSharingPolicy: z.enum(['Personal', 'Shared']).nullish(),
      personalComputeInstanceSettings: z.object({ assignedUser: AssignedUser.nullish() }).nullish(),
      subnet: z.object({ id: z.string().min(1) }).nullish(),
      enableNodePublicIp: z.boolean().nullish(),
      setupScripts: z.object({ scripts: z.object({ creationScript: ScriptReference.nullish(), startupScript: ScriptReference.nullish() }).nullish() }).nullish(),
      customServices: z.array(CustomService).nullish(),
    }),
  }),
});
export type ComputeInstanceBody = z.infer<typeof ComputeInstanceBodySchema>;

export const IdleShutdownBodySchema = z.object({ idleTimeBeforeShutdown: z.string() });

/** Parses a body or throws ARM's 400 naming every problem. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => ({ target: issue.path.join('.') || 'body', message: issue.message }));
  throw new ArmError(
    400,
    'InvalidRequestContent',
    `The request content is not valid: ${problems.map((problem) => `${problem.target}: ${problem.message}`).join('; ')}.`,
    {},
    problems.map((problem) => ({ code: 'InvalidRequestContent', ...problem })),
  );
}

/** Azure ML's smallest idle shutdown; the emulator allows less with EMULATOR_ALLOW_SHORT_IDLE (for tests). */
export const MIN_IDLE_MINUTES = 15;
const MAX_IDLE_MINUTES = 3 * 24 * 60;

/** Milliseconds in an ISO 8601 duration such as PT90M, PT30S or P1DT2H; null when it is not one. */
export function idleTimeMs(value: string): number | null {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  if (!match || value === 'P' || value.endsWith('T')) return null;
  return ((Number(match[1] ?? 0) * 24 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * 60_000 + Number(match[4] ?? 0) * 1000;
}

/**
 * Checks an idle time lies between 15 minutes and 3 days, as Azure ML does; with `allowShort`
 * (EMULATOR_ALLOW_SHORT_IDLE) anything from one second up is accepted.
 */
export function checkIdleTime(value: string, allowShort = false): void {
  const ms = idleTimeMs(value);
  const minimumMs = allowShort ? 1000 : MIN_IDLE_MINUTES * 60_000;
  if (ms === null || ms < minimumMs || ms > MAX_IDLE_MINUTES * 60_000) {
    throw badRequest(
      `idleTimeBeforeShutdown '${value}' is not valid: it must be an ISO 8601 duration between 15 minutes (PT15M) and 3 days (P3D).`,
    );
  }
}

export function checkComputeName(name: string): void {
  if (!COMPUTE_NAME.test(name)) {
    throw badRequest(
      `Compute name '${name}' is not available. Reason: Invalid. A compute instance name must be 3 to 24 characters long, ` +
        'start with a letter, and contain only letters, digits and hyphens; it cannot end with a hyphen followed only by digits.',
    );
  }
}
