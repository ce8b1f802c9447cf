/**
 * CPU time of processes and of the whole machine from /proc (Linux), to tell which process is the
 * bottleneck of a phase and whether something outside the benchmark competed for the cores.
 * Elsewhere it reports nothing rather than guessing.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ on every mainstream Linux build

/** User + system CPU seconds a process used so far, or null when unknown. */
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

/** Busy CPU seconds of the whole machine (all cores) so far, or null when unknown. */
export function machineBusySeconds(): number | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = cpu;
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export interface CpuUse {
  /** % of one core, by process name; null when unknown. */
  processes: Record<string, number | null>;
  /** % of one core the whole machine was busy; null when unknown. */
  machine: number | null;
  /** Machine minus the named processes: what something else took from the cores meanwhile. */
  others: number | null;
}

/** Measures CPU use over a phase, as % of one core, per process and for the machine. */
export class CpuWatch {
  private readonly start: Map<string, number | null>;
  private readonly machineStart = machineBusySeconds();
  private readonly startedAt = performance.now();

  constructor(private readonly pids: Record<string, number | undefined>) {
    this.start = new Map(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  }

  use(): CpuUse {
    const elapsedS = (performance.now() - this.startedAt) / 1000;
    const percent = (before: number | null | undefined, now: number | null) =>
      before == null || now === null ? null : Math.round(((now - before) / elapsedS) * 100);
    const processes = Object.fromEntries(Object.entries(this.pids).map(([name, pid]) => [name, percent(this.start.get(name), cpuSeconds(pid))]));
    const machine = percent(this.machineStart, machineBusySeconds());
    const known = Object.values(processes);
    const others = machine === null || known.some((value) => value === null)
      ? null
      : Math.max(0, machine - known.reduce<number>((sum, value) => sum + (value ?? 0), 0));
    return { processes, machine, others };
  }

  /** e.g. "host 97%, azurite 41%, bench+emulator 55%; machine 190% of 200%" */
  summary(): string {
    const use = this.use();
    const shown = (value: number | null) => (value === null ? '?' : `${value}%`);
    const processes = Object.entries(use.processes).map(([name, value]) => `${name} ${shown(value)}`);
    return `${processes.join(', ')}; machine ${shown(use.machine)} of ${availableParallelism() * 100}%`;
  }
}
