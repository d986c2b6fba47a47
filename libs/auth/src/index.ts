export { resolveJwtSecret, type JwtSecretOptions } from './jwt-secret.js';
export { dummyStoredHash, hashPassword, verifyAgainstDummy, verifyPassword } from './password.js';
export { TokenError, createTokenIssuer, type TokenErrorReason, type TokenIssuer, type TokenIssuerOptions, type TokenSession } from './token.js';
