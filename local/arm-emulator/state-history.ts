/**
 * Each compute instance's state history — when it entered Creating, Running, Stopped, ... — for
 * benchmarks that measure how long after Azure's own transition the control plane shows it
 * (`GET /_emulator/history`, `GET /_emulator/computes/{name}/history`). States are derived lazily
 * from timestamps (`lifecycle.ts`), so the history keeps every stored segment (a state, since when,
 * and the transition it was heading for) and derives the transitions at the time it is read.
 * In memory only, forgotten by a reset; a deleted instance's history stays until then.
 */
import { computeKey, type ComputeRecord, type InstanceState } from './compute-record';

export interface StateTransition {
  /** The state entered; `Deleted` once a deletion completed. */
  state: InstanceState | 'Deleted';
  /** Epoch milliseconds. */
  at: number;
}

export interface ComputeHistory {
  name: string;
  resourceGroup: string;
  workspace: string;
  transitions: StateTransition[];
}

type Segment = Pick<ComputeRecord, 'state' | 'since' | 'until' | 'next'>;

interface Entry {
  name: string;
  resourceGroup: string;
  workspace: string;
  segments: Segment[];
}

export class StateHistory {
  private readonly entries = new Map<string, Entry>();

  /** Called with every record the store writes. */
  record(record: ComputeRecord): void {
    const key = computeKey(record.resourceGroup, record.workspace, record.name);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { name: record.name, resourceGroup: record.resourceGroup, workspace: record.workspace, segments: [] };
      this.entries.set(key, entry);
    }
    const last = entry.segments.at(-1);
    const segment = { state: record.state, since: record.since, until: record.until, next: record.next };
    if (last && last.state === segment.state && last.since === segment.since && last.until === segment.until && last.next === segment.next) return;
    entry.segments.push(segment);
  }

  /** The histories of every instance (also deleted ones), as they stand at `now`. */
  all(now: number): ComputeHistory[] {
    return [...this.entries.values()].map((entry) => historyOf(entry, now));
  }

  /** The history of the instance with this name (in any workspace), or null. */
  named(name: string, now: number): ComputeHistory | null {
    const entry = [...this.entries.values()].find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    return entry ? historyOf(entry, now) : null;
  }

  clear(): void {
    this.entries.clear();
  }
}

function historyOf(entry: Entry, now: number): ComputeHistory {
  const transitions: StateTransition[] = [];
  const add = (state: StateTransition['state'], at: number) => {
    if (transitions.at(-1)?.state !== state) transitions.push({ state, at });
  };
  entry.segments.forEach((segment, i) => {
    add(segment.state, segment.since);
    const following = entry.segments[i + 1];
    // The transition it was heading for happened, unless a later write replaced it first.
    if (segment.until !== null && segment.next !== null && segment.until <= now && (!following || following.since >= segment.until)) {
      add(segment.next === 'Gone' ? 'Deleted' : segment.next, segment.until);
    }
  });
  return { name: entry.name, resourceGroup: entry.resourceGroup, workspace: entry.workspace, transitions };
}
