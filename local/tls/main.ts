/**
 * `node dist/local/tls/main.js [dir]`: makes sure the local CA and server certificate exist
 * (default directory .local/tls) and prints the CA path, the value for NODE_EXTRA_CA_CERTS.
 */
import { DEFAULT_TLS_DIR, ensureCertificates } from './certificates';

ensureCertificates(process.argv[2] ?? DEFAULT_TLS_DIR).then(
  (tls) => {
    process.stdout.write(`${tls.caPath}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`Could not create the local certificates: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
