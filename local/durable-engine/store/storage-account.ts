/**
 * A storage account as a connection string names it, and requests to its Blob and Queue REST
 * services signed with Shared Key (the scheme the Azure SDKs use with an account key). The
 * repository depends on @azure/data-tables only; this small client covers the few blob and queue
 * calls the engine and the host's bindings make, against Azurite or a real account alike.
 */
import { createHmac } from 'node:crypto';

/** Azurite's well-known development account (public, documented by Microsoft). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const API_VERSION = '2021-12-02';

export interface StorageAccount {
  name: string;
  key: string;
  blobUrl: string;
  queueUrl: string;
  tableUrl: string;
}

export type StorageService = 'blob' | 'queue';

export class StorageRequestError extends Error {
  constructor(readonly statusCode: number, readonly code: string | undefined, message: string) {
    super(message);
    this.name = 'StorageRequestError';
  }
}

export function parseConnectionString(connectionString: string): StorageAccount {
  const values = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) values.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  if (values.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    const proxy = (values.get('developmentstorageproxyuri') ?? 'http://127.0.0.1').replace(/\/$/, '');
    return { name: DEV_ACCOUNT, key: DEV_KEY, blobUrl: `${proxy}:10000/${DEV_ACCOUNT}`, queueUrl: `${proxy}:10001/${DEV_ACCOUNT}`, tableUrl: `${proxy}:10002/${DEV_ACCOUNT}` };
  }
  const name = values.get('accountname');
  const key = values.get('accountkey');
  if (!name || !key) throw new Error('The storage connection string has no AccountName/AccountKey (shared key access is needed for blobs and queues)');
  const protocol = values.get('defaultendpointsprotocol') ?? 'https';
  const suffix = values.get('endpointsuffix') ?? 'core.windows.net';
  const endpoint = (service: string) => (values.get(`${service}endpoint`) ?? `${protocol}://${name}.${service}.${suffix}`).replace(/\/$/, '');
  return { name, key, blobUrl: endpoint('blob'), queueUrl: endpoint('queue'), tableUrl: endpoint('table') };
}

export interface SignedRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  /** Below the service URL, already URL-encoded, starting with '/'. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer;
}

/** Sends a Shared Key signed request; resolves with the response or throws StorageRequestError for non-2xx (except `allow`). */
export async function storageRequest(account: StorageAccount, service: StorageService, request: SignedRequest, allow: number[] = []): Promise<Response> {
  const base = service === 'blob' ? account.blobUrl : account.queueUrl;
  const url = new URL(base + request.path);
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  const body = request.body;
  const headers: Record<string, string> = {
    'x-ms-date': new Date().toUTCString(),
    'x-ms-version': API_VERSION,
    ...Object.fromEntries(Object.entries(request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
  };
  if (body) headers['content-length'] = String(body.length);
  headers.authorization = `SharedKey ${account.name}:${signature(account, request.method, url, headers)}`;
  const response = await fetch(url, { method: request.method, headers, body });
  if (!response.ok && !allow.includes(response.status)) {
    const text = await response.text().catch(() => '');
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? response.headers.get('x-ms-error-code') ?? undefined;
    throw new StorageRequestError(response.status, code, `${request.method} ${url.pathname} answered ${response.status}${code ? ` ${code}` : ''}`);
  }
  return response;
}

function signature(account: StorageAccount, method: string, url: URL, headers: Record<string, string>): string {
  const header = (name: string) => headers[name] ?? '';
  const length = header('content-length');
  const canonicalHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-ms-'))
    .sort()
    .map((name) => `${name}:${headers[name]!.trim()}\n`)
    .join('');
  const params = [...url.searchParams.keys()].map((name) => name.toLowerCase()).sort();
  const canonicalResource =
    `/${account.name}${url.pathname}` + params.map((name) => `\n${name}:${url.searchParams.getAll(name).join(',')}`).join('');
  const toSign = [
    method,
    header('content-encoding'),
    header('content-language'),
    length === '0' ? '' : length,
    header('content-md5'),
    header('content-type'),
    '',
    header('if-modified-since'),
    header('if-match'),
    header('if-none-match'),
    header('if-unmodified-since'),
    header('range'),
  ].join('\n') + '\n' + canonicalHeaders + canonicalResource;
  return createHmac('sha256', Buffer.from(account.key, 'base64')).update(toSign, 'utf8').digest('base64');
}

/** A blob container: text blobs put, read, and deleted by prefix. */
export class BlobContainer {
  #created: Promise<void> | undefined;

  constructor(readonly account: StorageAccount, readonly name: string) {}

  /** Creates the container once (409 "already exists" is fine). */
  ensureExists(): Promise<void> {
    this.#created ??= storageRequest(this.account, 'blob', { method: 'PUT', path: `/${this.name}`, query: { restype: 'container' } }, [409]).then(
      () => undefined,
      (error: unknown) => {
        this.#created = undefined;
        throw error;
      },
    );
    return this.#created;
  }

  async put(blobName: string, content: string | Buffer, contentType = 'application/json; charset=utf-8'): Promise<void> {
    await this.ensureExists();
    const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    await storageRequest(this.account, 'blob', {
      method: 'PUT',
      path: this.path(blobName),
      headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': contentType },
      body,
    });
  }

  async getText(blobName: string): Promise<string> {
    const response = await storageRequest(this.account, 'blob', { method: 'GET', path: this.path(blobName) });
    return response.text();
  }

  async delete(blobName: string): Promise<void> {
    await storageRequest(this.account, 'blob', { method: 'DELETE', path: this.path(blobName) }, [404]);
  }

  async list(prefix: string): Promise<string[]> {
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const query: Record<string, string> = { restype: 'container', comp: 'list', prefix };
      if (marker) query.marker = marker;
      const response = await storageRequest(this.account, 'blob', { method: 'GET', path: `/${this.name}`, query }, [404]);
      if (response.status === 404) return names;
      const xml = await response.text();
      for (const match of xml.matchAll(/<Blob>\s*<Name>([^<]*)<\/Name>/g)) names.push(unescapeXml(match[1]!));
      marker = /<NextMarker>([^<]+)<\/NextMarker>/.exec(xml)?.[1];
    } while (marker);
    return names;
  }

  async deletePrefix(prefix: string): Promise<number> {
    const names = await this.list(prefix);
    for (const name of names) await this.delete(name);
    return names.length;
  }

  private path(blobName: string): string {
    return `/${this.name}/${blobName.split('/').map(encodeURIComponent).join('/')}`;
  }
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
