/**
 * CPU time of a process from /proc (Linux), to tell which process is the bottleneck of a phase.
 * Elsewhere it reports nothing rather than guessing.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on every mainstream Linux build

/** User + system CPU seconds used so far, or null when unknown. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Measures CPU use of named processes over a phase, as % of one core. */
export class CpuWatch {
  private readonly start: Map<string, number | null>;
  private readonly startedAt = performance.now();

  constructor(private readonly pids: Record<string, number | undefined>) {
    this.start = new Map(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  }

  /** e.g. "host 97%, azurite 41%, bench 55%" */
  summary(): string {
    const elapsedS = (performance.now() - this.startedAt) / 1000;
    return Object.entries(this.pids)
      .map(([name, pid]) => {
        const before = this.start.get(name);
        const now = cpuSeconds(pid);
        return before == null || now === null ? `${name} ?` : `${name} ${Math.round(((now - before) / elapsedS) * 100)}%`;
      })
      .join(', ');
  }
}
