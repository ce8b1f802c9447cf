/** Names of the durable functions and the instance ids derived from a server id (one run per server and kind). */
export const ORCHESTRATIONS = {
  provision: 'provisionServer',
  stop: 'stopServer',
  delete: 'deleteServer',
} as const;

export const ACTIVITIES = {
  provisionStep: 'provisionStep',
  provisionGiveUp: 'provisionGiveUp',
  stopStep: 'stopStep',
  deleteStep: 'deleteStep',
  windDownGiveUp: 'windDownGiveUp',
} as const;

export type OrchestrationKind = keyof typeof ORCHESTRATIONS;

export function instanceIdFor(kind: OrchestrationKind, serverId: string): string {
  return `${kind}-${serverId}`;
}

/** The orchestrations' common input; timings travel with it so a replay never sees a changed setting. */
export interface ServerOrchestrationInput {
  serverId: string;
  pollSeconds: number;
  timeoutMinutes: number;
}

/** Input of the give-up activities: why the run ended without reaching its goal. */
export interface GiveUpInput {
  serverId: string;
  code: string;
  message: string;
}
