/** Readiness probes: a TCP port that accepts, an HTTP(S) URL that answers. */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

export function portAccepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** True when the URL answers with a status below 500; `caFile` trusts a local CA for https. */
export function urlAnswers(url: string, caFile?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const secure = url.startsWith('https:');
    const send = secure ? httpsRequest : httpRequest;
    const request = send(url, { method: 'GET', timeout: 2000, ...(secure && caFile ? { ca: readFileSync(caFile) } : {}) }, (response) => {
      response.resume();
      resolve((response.statusCode ?? 500) < 500);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
    request.end();
  });
}
