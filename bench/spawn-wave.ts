/**
 * N users spawning at once, each then following its server as the JupyterHub shim does (one status
 * read every `pollMs`; the shim's default is 5 s) until it is Running. Every loop ends: by state, or at the wave's deadline.
 */
import type { HttpClient } from './http-client';

export interface SpawnWaveOptions {
  baseUrl: string;
  users: number;
  /** Makes user names unique across waves and runs. */
  tag: string;
  project: string;
  size: string;
  pollMs: number;
  /** The whole wave gives up after this long. */
  deadlineMs: number;
  /** Called each time a user sees its server Running (for progress lines). */
  onRunning?: () => void;
}

export interface SpawnOutcome {
  user: string;
  id: string | null;
  /** Epoch ms the spawn POST was sent. */
  postedAt: number;
  /** How long the spawn took to be answered (a timed-out POST is sent again, as the shim does). */
  postMs: number;
  /** POSTs sent: more than one when the first timed out. */
  postAttempts?: number;
  /** Epoch ms a status read first answered Running, or null. */
  runningSeenAt: number | null;
  /** Epoch ms the control plane recorded Running (the server's `startedAt`): from then on the API shows it. */
  runningRecordedAt: number | null;
  /** Why the user never saw Running. */
  failure: string | null;
  /** Epoch ms the user stopped following (Running seen, failed, or gave up). */
  endedAt: number;
}

export async function spawnWave(client: HttpClient, options: SpawnWaveOptions): Promise<SpawnOutcome[]> {
  const deadline = Date.now() + options.deadlineMs;
  const users = Array.from({ length: options.users }, (_, i) => ({
    user: `bench-${options.tag}-u${String(i).padStart(3, '0')}`,
    userObjectId: benchObjectId(i),
  }));
  return Promise.all(users.map(({ user, userObjectId }) => spawnAndFollow(client, options, user, userObjectId, deadline)));
}

/**
 * A person's Entra object id for bench user `index`, as a hub with Entra sign-in passes it:
 * instances are Personal by default, so a spawn names who it is for. The tenant is left out, so the
 * control plane takes the subscription's (one ARM read, cached).
 */
export function benchObjectId(index: number): string {
  return `be4c0000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

async function spawnAndFollow(
  client: HttpClient, options: SpawnWaveOptions, user: string, userObjectId: string, deadline: number,
): Promise<SpawnOutcome> {
  const postedAt = Date.now();
  const outcome: SpawnOutcome = { user, id: null, postedAt, postMs: 0, runningSeenAt: null, runningRecordedAt: null, failure: null, endedAt: postedAt };
  const ended = (result: SpawnOutcome): SpawnOutcome => ({ ...result, endedAt: Date.now() });
  try {
    // A spawn is idempotent: a POST that timed out is sent again, as the shim retries it.
    let spawned: Awaited<ReturnType<HttpClient['send']>>;
    for (outcome.postAttempts = 1; ; outcome.postAttempts++) {
      try {
        spawned = await client.send('POST', `${options.baseUrl}/api/servers`, { user, project: options.project, size: options.size, userObjectId });
        break;
      } catch (error) {
        if (Date.now() >= deadline) throw error;
        await sleep(1000);
      }
    }
    outcome.postMs = Date.now() - postedAt;
    if (spawned.status !== 202 && spawned.status !== 200) return ended({ ...outcome, failure: `spawn answered ${spawned.status}: ${spawned.body.slice(0, 200)}` });
    outcome.id = (JSON.parse(spawned.body) as { id: string }).id;
    while (Date.now() < deadline) {
      await sleep(options.pollMs);
      const read = await client.send('GET', `${options.baseUrl}/api/servers/${outcome.id}`).catch((error: unknown) => ({ status: 0, body: String(error) }));
      if (read.status !== 200) continue; // the shim tolerates a failed read and tries again
      const { state, startedAt } = JSON.parse(read.body) as { state: string; startedAt: string | null };
      if (state === 'Running') {
        options.onRunning?.();
        const recorded = startedAt === null ? Number.NaN : Date.parse(startedAt);
        return ended({ ...outcome, runningSeenAt: Date.now(), runningRecordedAt: Number.isFinite(recorded) ? recorded : null });
      }
      if (state === 'Failed') return ended({ ...outcome, failure: `server failed: ${read.body.slice(0, 300)}` });
    }
    return ended({ ...outcome, failure: 'not Running before the deadline' });
  } catch (error) {
    // A POST that failed or timed out took as long as it ran, not 0 ms.
    const postMs = outcome.postMs === 0 ? Date.now() - postedAt : outcome.postMs;
    return ended({ ...outcome, postMs, failure: error instanceof Error ? error.message : String(error) });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
