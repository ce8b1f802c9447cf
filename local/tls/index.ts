export { DEFAULT_TLS_DIR, ensureCertificates, type TlsMaterial } from './certificates';
