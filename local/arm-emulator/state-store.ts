/**
 * The emulator's mutable state (compute instances and long-running operations), kept in memory and,
 * unless in-memory, persisted to <dataDir>/state.json with an atomic write after every change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { computeKey, type ComputeRecord, type OperationRecord } from './compute-record';
import { normalizeLocation } from './seed';
import { settle } from './lifecycle';
import { StateHistory } from './state-history';

const STATE_FILE = 'state.json';
/** Finished operations are forgotten after this long. */
const OPERATION_RETENTION_MS = 60 * 60 * 1000;

const StateFileSchema = z.object({
  version: z.literal(1),
  computes: z.record(z.string(), z.custom<ComputeRecord>((value) => typeof value === 'object' && value !== null)),
  operations: z.record(z.string(), z.custom<OperationRecord>((value) => typeof value === 'object' && value !== null)),
  /** Tags written through ARM (resource group PATCH, Tags API), by lower-case group name; they replace the seed's. */
  resourceGroupTags: z.record(z.string(), z.record(z.string(), z.string())).default({}),
});
type StateFile = z.infer<typeof StateFileSchema>;

const empty = (): StateFile => ({ version: 1, computes: {}, operations: {}, resourceGroupTags: {} });

/** An instance as it stands at a time (null once deleted): the lifecycle, plus whatever else moves it (idle shutdown). */
export type Settler = (record: ComputeRecord, now: number) => ComputeRecord | null;

export class StateStore {
  private state: StateFile;
  private readonly file: string | null;
  /** Every instance's state transitions, for benchmarks (in memory only). */
  readonly history = new StateHistory();

  /** `dataDir` null keeps everything in memory. */
  constructor(
    dataDir: string | null,
    private readonly settleAt: Settler = settle,
  ) {
    this.file = dataDir === null ? null : path.resolve(dataDir, STATE_FILE);
    this.state = this.load();
  }

  /** The instance as it stands at `now`, or null (never created, or deleted). */
  compute(resourceGroup: string, workspace: string, name: string, now: number): ComputeRecord | null {
    const stored = this.state.computes[computeKey(resourceGroup, workspace, name)];
    return stored ? this.settleAt(stored, now) : null;
  }

  /** The instances of one workspace at `now`, oldest first (in creation order). */
  computesIn(resourceGroup: string, workspace: string, now: number): ComputeRecord[] {
    const prefix = computeKey(resourceGroup, workspace, '');
    return this.all(now)
      .filter((record) => computeKey(record.resourceGroup, record.workspace, record.name).startsWith(prefix))
      .sort((a, b) => a.createdOn - b.createdOn);
  }

  /**
   * An instance with this name in the location, or in any location when `location` is null
   * (compute instance names are unique per region, across workspaces).
   */
  computeNamed(name: string, location: string | null, now: number): ComputeRecord | null {
    const region = location === null ? null : normalizeLocation(location);
    return (
      this.all(now).find(
        (record) =>
          record.name.toLowerCase() === name.toLowerCase() && (region === null || normalizeLocation(record.location) === region),
      ) ?? null
    );
  }

  /** Every instance at `now`, in any workspace. */
  allComputes(now: number): ComputeRecord[] {
    return this.all(now);
  }

  putCompute(record: ComputeRecord): void {
    this.state.computes[computeKey(record.resourceGroup, record.workspace, record.name)] = record;
    this.history.record(record);
  }

  /** The group's tags as last written through ARM, or null when they were never written (the seed's hold). */
  resourceGroupTags(name: string): Record<string, string> | null {
    return this.state.resourceGroupTags[name.toLowerCase()] ?? null;
  }

  putResourceGroupTags(name: string, tags: Record<string, string>): void {
    this.state.resourceGroupTags[name.toLowerCase()] = { ...tags };
  }

  operation(id: string): OperationRecord | null {
    return this.state.operations[id] ?? null;
  }

  operationsOf(key: string): OperationRecord[] {
    return Object.values(this.state.operations).filter((operation) => operation.computeKey === key);
  }

  putOperation(operation: OperationRecord): void {
    this.state.operations[operation.id] = operation;
  }

  /** Writes the state (no-op in memory), dropping deleted instances and old operations first. */
  commit(now: number): void {
    for (const [key, record] of Object.entries(this.state.computes)) {
      if (this.settleAt(record, now) === null) delete this.state.computes[key];
    }
    for (const [id, operation] of Object.entries(this.state.operations)) {
      if (operation.completesAt + OPERATION_RETENTION_MS < now) delete this.state.operations[id];
    }
    if (this.file === null) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(this.state, null, 2)}\n`);
    fs.renameSync(temporary, this.file);
  }

  /** Forgets every instance and operation (and writes the empty state). */
  clear(now: number): void {
    this.state = empty();
    this.history.clear();
    this.commit(now);
  }

  private all(now: number): ComputeRecord[] {
    return Object.values(this.state.computes)
      .map((record) => this.settleAt(record, now))
      .filter((record): record is ComputeRecord => record !== null);
  }

  private load(): StateFile {
    if (this.file === null || !fs.existsSync(this.file)) return empty();
    const parsed = StateFileSchema.safeParse(safeJson(fs.readFileSync(this.file, 'utf8')));
    if (parsed.success) return parsed.data;
    // Keep an unreadable file for inspection rather than overwrite it silently.
    const aside = `${this.file}.unreadable-${Date.now()}`;
    fs.renameSync(this.file, aside);
    process.stderr.write(`ARM emulator: ${this.file} could not be read; moved to ${aside}, starting empty.\n`);
    return empty();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
