/**
 * A local certificate authority and a server certificate for 127.0.0.1/localhost, created once
 * under a directory and reused. Clients trust the CA through NODE_EXTRA_CA_CERTS=<dir>/ca.pem.
 * The files are key material: they live under .local/ (git-ignored) and are never committed.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from 'selfsigned';

export const DEFAULT_TLS_DIR = '.local/tls';

export interface TlsMaterial {
  caPath: string;
  certPath: string;
  keyPath: string;
  /** PEM of the server certificate followed by the CA certificate (the chain a server sends). */
  cert: string;
  key: string;
  ca: string;
}

const CA_FILE = 'ca.pem';
const CA_KEY_FILE = 'ca-key.pem';
const CERT_FILE = 'server.pem';
const KEY_FILE = 'server-key.pem';
const DAY_MS = 24 * 60 * 60 * 1000;
/** A server certificate closer than this to its end is replaced (the CA is kept). */
const RENEW_BEFORE_MS = 7 * DAY_MS;

/** Returns the certificates under `dir`, creating the CA and the server certificate when missing. */
export async function ensureCertificates(dir: string = DEFAULT_TLS_DIR): Promise<TlsMaterial> {
  const root = path.resolve(dir);
  if (!fs.existsSync(path.join(root, CA_FILE)) || !fs.existsSync(path.join(root, CA_KEY_FILE))) {
    await createAll(root);
  }
  if (!serverCertificateUsable(root)) {
    await writeServerCertificate(root, read(root, CA_FILE), read(root, CA_KEY_FILE));
  }
  return {
    caPath: path.join(root, CA_FILE),
    certPath: path.join(root, CERT_FILE),
    keyPath: path.join(root, KEY_FILE),
    cert: `${read(root, CERT_FILE).trimEnd()}\n${read(root, CA_FILE).trimEnd()}\n`,
    key: read(root, KEY_FILE),
    ca: read(root, CA_FILE),
  };
}

/**
 * Creates CA and server certificate in a private temporary directory, then moves it into place in
 * one rename, so that two processes starting together never mix one CA with the other's server
 * certificate: the loser of the race drops its copy and uses the winner's.
 */
async function createAll(root: string): Promise<void> {
  fs.mkdirSync(path.dirname(root), { recursive: true });
  const staging = fs.mkdtempSync(`${root}.tmp-`);
  try {
    const ca = await generate([{ name: 'commonName', value: 'aml-jupyterhub local CA' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 3650 * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
    writePrivate(staging, CA_KEY_FILE, ca.private);
    fs.writeFileSync(path.join(staging, CA_FILE), withNewline(ca.cert));
    await writeServerCertificate(staging, ca.cert, ca.private);
    if (fs.existsSync(root) && fs.readdirSync(root).length === 0) fs.rmdirSync(root);
    fs.renameSync(staging, root);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    // Another process created the directory first: use its certificates.
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && fs.existsSync(path.join(root, CA_FILE))) return;
    throw error;
  }
}

async function writeServerCertificate(dir: string, caCert: string, caKey: string): Promise<void> {
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 825 * DAY_MS),
    ca: { cert: caCert, key: caKey },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  writePrivate(dir, KEY_FILE, server.private);
  writeAtomically(path.join(dir, CERT_FILE), server.cert, 0o644);
}

function withNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

function serverCertificateUsable(root: string): boolean {
  const certPath = path.join(root, CERT_FILE);
  if (!fs.existsSync(certPath) || !fs.existsSync(path.join(root, KEY_FILE))) return false;
  try {
    const cert = new X509Certificate(fs.readFileSync(certPath));
    const ca = new X509Certificate(fs.readFileSync(path.join(root, CA_FILE)));
    return cert.verify(ca.publicKey) && Date.parse(cert.validTo) - Date.now() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

function writePrivate(dir: string, file: string, content: string): void {
  writeAtomically(path.join(dir, file), content, 0o600);
}

function writeAtomically(file: string, content: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, withNewline(content), { mode });
  fs.renameSync(temporary, file);
}

function read(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), 'utf8');
}
