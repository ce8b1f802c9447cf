/**
 * The host bounds what a request may cost before the app sees it (issue 10): a body larger than
 * FUNCTIONS_REQUEST_BODY_SIZE_LIMIT is refused (413) from its Content-Length or cut as it streams,
 * without being held in memory; a body that does not arrive in time is cut (408); a function that
 * does not answer in time gets a 502, as from Azure's front end.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { copyFixtureApp, type AppCopy } from '../support/app-copy';
import { startHostProcess, type HostProcess } from '../support/host-process';

const LIMIT = 64 * 1024;
let app: AppCopy;
let host: HostProcess;

beforeAll(async () => {
  app = copyFixtureApp('http-app', { EVERY_SECOND_SCHEDULE: '0 0 0 1 1 *' });
  host = await startHostProcess({
    appDir: app.dir,
    env: { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(LIMIT), LOCAL_HOST_BODY_TIMEOUT_SECONDS: '1', LOCAL_HOST_RESPONSE_TIMEOUT_SECONDS: '2' },
  });
});

afterAll(async () => {
  await host?.stop();
  app?.remove();
});

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  /** Bytes of the body written before the answer came (or the connection closed). */
  sent: number;
  elapsedMs: number;
}

/**
 * POSTs to /api/echo: `total` bytes in 64 KiB chunks (chunked unless `declare`), or `stallAfter`
 * bytes of a declared body and then nothing. Stops writing as soon as the host answers.
 */
function post(options: { total: number; declare?: boolean; stallAfter?: number }): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const request = httpRequest(`${host.url}/api/echo`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        ...(options.declare || options.stallAfter !== undefined ? { 'content-length': String(options.total) } : {}),
      },
    });
    request.on('response', (response) => {
      answered = true;
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, sent, elapsedMs: Date.now() - started }));
    });
    request.on('error', (error) => (answered ? undefined : reject(error)));
    if (options.stallAfter !== undefined) request.flushHeaders();
    const chunk = Buffer.alloc(LIMIT, 0x61);
    const write = () => {
      const stopAt = options.stallAfter ?? options.total;
      while (!answered && sent < stopAt) {
        const piece = chunk.subarray(0, Math.min(chunk.length, stopAt - sent));
        sent += piece.length;
        if (!request.write(piece)) {
          request.once('drain', write);
          return;
        }
      }
      if (!answered && options.stallAfter === undefined) request.end();
    };
    write();
  });
}

function hostRssBytes(): number {
  const status = readFileSync(`/proc/${host.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

describe('request bodies', () => {
  it('passes a body up to the limit through', async () => {
    const answer = await post({ total: LIMIT, declare: true });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-length']).toBe(String(LIMIT));
  });

  it('refuses a declared body over the limit with 413 before reading it', async () => {
    // Only the headers go out: a host that waited for the body would answer 408 at its deadline.
    const answer = await post({ total: 90 * 1024 * 1024, stallAfter: 0 });
    expect(answer.status).toBe(413);
    expect(answer.sent).toBe(0);
  });

  it('cuts a streamed (chunked) body at the limit with 413, without holding it in memory', async () => {
    await post({ total: LIMIT, declare: true }); // warm up
    const before = hostRssBytes();
    for (let i = 0; i < 4; i++) {
      const answer = await post({ total: 90 * 1024 * 1024 });
      expect(answer.status).toBe(413);
      // Answered while the body was still coming, not after reading it all.
      expect(answer.sent).toBeLessThan(90 * 1024 * 1024);
    }
    // Four 90 MB bodies took the old host from 130 to 721 MiB; now each is dropped past 64 KiB.
    expect(hostRssBytes() - before).toBeLessThan(40 * 1024 * 1024);
    expect(host.output()).toMatch(/http\.body-refused/);
  }, 60_000);

  it('cuts a body that stalls with 408 once its deadline passes', async () => {
    const answer = await post({ total: 1000, stallAfter: 10 });
    expect(answer.status).toBe(408);
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(900);
    expect(answer.elapsedMs).toBeLessThan(20_000);
  });
});

describe('slow functions', () => {
  it('answer 502 at the response deadline, as Azure does at 230 s; a fast one is unaffected', async () => {
    const started = Date.now();
    const slow = await fetch(`${host.url}/api/slow?ms=6000`);
    expect(slow.status).toBe(502);
    expect(Date.now() - started).toBeLessThan(5_500);
    expect(host.output()).toMatch(/http\.timeout/);
    const fast = await fetch(`${host.url}/api/slow?ms=10`);
    expect(fast.status).toBe(200);
    expect(await fast.json()).toEqual({ slept: true });
  }, 30_000);
});
