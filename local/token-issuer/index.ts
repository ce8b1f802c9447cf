export { mintToken, type TokenRequest } from './mint-token';
export { loadOrCreateSigningKey, type SigningKey } from './signing-key';
export { DEFAULT_AUDIENCE, DEFAULT_TOKEN_ISSUER_PORT, issuerUrl, KEYS_PATH, startTokenIssuer, type TokenIssuer, type TokenIssuerOptions } from './token-issuer';
