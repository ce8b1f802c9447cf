/**
 * Scenarios make the emulator misbehave on purpose, for tests. Each one matches requests by
 * operation, compute name, resource group and VM size (every given field must match, names
 * case-insensitively) and does one of three things:
 * - `outcome`: a new instance is created but ends in CreateFailed, SetupFailed or Unusable with
 *              Azure's error, ends in JobRunning (a job runs on it), or is SettingUp for `seconds`
 *              (default 10) between Creating and Running;
 * - `reject`:  the request is answered with an ARM error and changes nothing (quota, capacity, ...);
 * - `fault`:   the request is answered 429/500/503 before anything else, as a transient fault;
 * - `delay`:   the request is held that long before it is handled (a slow ARM front door), so a
 *              test can act while, e.g., a create PUT is on its way.
 * `times` limits how many matching requests it applies to (default: all, until removed or reset).
 */
import { z } from 'zod';
import type { CreateOutcome } from './lifecycle';

const Match = z
  .strictObject({
    operation: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    resourceGroup: z.string().min(1).optional(),
    vmSize: z.string().min(1).optional(),
  })
  .default({});

const common = { match: Match, times: z.number().int().positive().optional() };

const OutcomeScenario = z.strictObject({
  ...common,
  outcome: z.enum(['CreateFailed', 'SetupFailed', 'Unusable', 'JobRunning', 'SettingUp']),
  code: z.string().min(1).optional(),
  message: z.string().min(1).optional(),
  /** SettingUp only: how long the instance sets up. */
  seconds: z.number().min(0).max(3600).optional(),
});

const RejectScenario = z.strictObject({
  ...common,
  reject: z.strictObject({ status: z.number().int().min(400).max(599), code: z.string().min(1), message: z.string().min(1) }),
});

const FaultScenario = z.strictObject({
  ...common,
  fault: z.strictObject({
    status: z.union([z.literal(429), z.literal(500), z.literal(503)]),
    retryAfterSeconds: z.number().int().min(0).optional(),
  }),
});

const DelayScenario = z.strictObject({
  ...common,
  delay: z.strictObject({ seconds: z.number().positive().max(60) }),
});

export const ScenarioInputSchema = z.union([OutcomeScenario, RejectScenario, FaultScenario, DelayScenario]);
export type ScenarioInput = z.infer<typeof ScenarioInputSchema>;

export type Scenario = ScenarioInput & { id: string; remaining: number | null };

export interface RequestFacts {
  operation: string;
  name?: string;
  resourceGroup?: string;
  vmSize?: string;
}

const DEFAULT_FAILURES = {
  CreateFailed: {
    code: 'AllocationFailed',
    message:
      'Compute instance creation failed: there is not enough capacity for the requested VM size in this region right now. ' +
      'Try another VM size or try again later.',
  },
  SetupFailed: {
    code: 'SetupScriptFailed',
    message: 'The compute instance was created but its setup script exited with code 1. See the setup logs on the instance.',
  },
  Unusable: {
    code: 'ComputeInstanceUnusable',
    message:
      'The specified Azure ML Compute Instance encountered an unusable node. Please try to restart the compute instance to recover. ' +
      'If it failed at creation time, please delete and try to recreate the compute instance.',
  },
};

const DEFAULT_SETTING_UP_SECONDS = 10;

export class ScenarioBook {
  private scenarios: Scenario[] = [];
  private sequence = 0;

  add(input: ScenarioInput): Scenario {
    this.sequence += 1;
    const scenario: Scenario = { ...input, id: `scenario-${this.sequence}`, remaining: input.times ?? null };
    this.scenarios.push(scenario);
    return scenario;
  }

  list(): Scenario[] {
    return this.scenarios.map((scenario) => ({ ...scenario }));
  }

  remove(id: string): boolean {
    const before = this.scenarios.length;
    this.scenarios = this.scenarios.filter((scenario) => scenario.id !== id);
    return this.scenarios.length < before;
  }

  clear(): void {
    this.scenarios = [];
  }

  /** What a new instance should become instead of Running, if an outcome scenario matches its create. */
  takeOutcome(facts: RequestFacts): CreateOutcome | null {
    const found = this.take(facts, (scenario) => 'outcome' in scenario, 'computes/createOrUpdate');
    if (!found || !('outcome' in found)) return null;
    if (found.outcome === 'JobRunning') return { state: 'JobRunning', error: null };
    if (found.outcome === 'SettingUp') return { state: 'SettingUp', error: null, settingUpMs: (found.seconds ?? DEFAULT_SETTING_UP_SECONDS) * 1000 };
    const fallback = DEFAULT_FAILURES[found.outcome];
    // Azure ML's errors carry `details` (empty when there is nothing underneath).
    return { state: found.outcome, error: { code: found.code ?? fallback.code, message: found.message ?? fallback.message, details: [] } };
  }

  takeReject(facts: RequestFacts): { status: number; code: string; message: string } | null {
    const found = this.take(facts, (scenario) => 'reject' in scenario, 'computes/createOrUpdate');
    return found && 'reject' in found ? found.reject : null;
  }

  takeFault(facts: RequestFacts): { status: 429 | 500 | 503; retryAfterSeconds?: number } | null {
    const found = this.take(facts, (scenario) => 'fault' in scenario, null);
    return found && 'fault' in found ? found.fault : null;
  }

  /** How long to hold the request before handling it, if a delay scenario matches (any operation by default). */
  takeDelay(facts: RequestFacts): number | null {
    const found = this.take(facts, (scenario) => 'delay' in scenario, null);
    return found && 'delay' in found ? found.delay.seconds : null;
  }

  /** First live scenario of the kind matching the request; uses one of its `times`. */
  private take(facts: RequestFacts, ofKind: (scenario: Scenario) => boolean, defaultOperation: string | null): Scenario | null {
    const found = this.scenarios.find(
      (scenario) => ofKind(scenario) && scenario.remaining !== 0 && matches(scenario.match, facts, defaultOperation),
    );
    if (!found) return null;
    if (found.remaining !== null) found.remaining -= 1;
    if (found.remaining === 0) this.remove(found.id);
    return found;
  }
}

function matches(match: z.infer<typeof Match>, facts: RequestFacts, defaultOperation: string | null): boolean {
  const operation = match.operation ?? defaultOperation;
  if (operation !== null && operation !== facts.operation) return false;
  return (
    same(match.name, facts.name) && same(match.resourceGroup, facts.resourceGroup) && same(match.vmSize, facts.vmSize)
  );
}

/** An absent expectation matches anything; a present one needs an equal (case-insensitive) fact. */
function same(expected: string | undefined, actual: string | undefined): boolean {
  return expected === undefined || (actual !== undefined && expected.toLowerCase() === actual.toLowerCase());
}
