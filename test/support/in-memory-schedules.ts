/** Schedules kept in memory for fast logic tests (the Table adapter has its own integration test). */
import type { Schedule, ScheduleMutation, ScheduleStore } from '../../shared/domain/schedules';

export class InMemorySchedules implements ScheduleStore {
  private readonly rows = new Map<string, string>();

  async create(schedule: Schedule): Promise<void> {
    if (this.rows.has(schedule.id)) throw new Error(`schedule ${schedule.id} exists`);
    this.rows.set(schedule.id, JSON.stringify(schedule));
  }

  async get(id: string): Promise<Schedule | null> {
    const row = this.rows.get(id);
    return row === undefined ? null : (JSON.parse(row) as Schedule);
  }

  async list(): Promise<Schedule[]> {
    return [...this.rows.values()].map((row) => JSON.parse(row) as Schedule);
  }

  async update(id: string, mutate: ScheduleMutation): Promise<Schedule | null> {
    const current = await this.get(id);
    if (!current) return null;
    const next = mutate(current);
    if (next === null) return current;
    this.rows.set(id, JSON.stringify(next));
    return next;
  }

  async delete(id: string): Promise<boolean> {
    return this.rows.delete(id);
  }
}
