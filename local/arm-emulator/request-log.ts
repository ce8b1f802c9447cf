/** The write requests (PUT, POST, DELETE) each compute received, with their bodies as sent. */

export interface RecordedRequest {
  at: string;
  method: string;
  operation: string;
  path: string;
  apiVersion: string | null;
  body: unknown;
  status: number;
}

const KEPT_PER_COMPUTE = 100;

export class RequestLog {
  private readonly byCompute = new Map<string, RecordedRequest[]>();

  record(computeName: string, request: RecordedRequest): void {
    const key = computeName.toLowerCase();
    const list = this.byCompute.get(key) ?? [];
    list.push(request);
    if (list.length > KEPT_PER_COMPUTE) list.shift();
    this.byCompute.set(key, list);
  }

  forCompute(computeName: string): RecordedRequest[] {
    return [...(this.byCompute.get(computeName.toLowerCase()) ?? [])];
  }

  clear(): void {
    this.byCompute.clear();
  }
}
