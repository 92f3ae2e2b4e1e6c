import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface TokenSettings {
  secret: string;
  expiresInSeconds: number;
}

/** Whom an access token speaks for: the account, and the session (one login) it was issued to. */
export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
}

export interface AccessTokens {
  readonly expiresInSeconds: number;
  sign(claims: AccessTokenClaims): string;
  /**
   * Returns the token's account and session, or undefined for any token that is not ours and current: wrong
   * signature, another algorithm (`none` included), no `exp`, expired, no subject, or no session id (a token
   * from before sessions existed: it could not be ended, so it is not taken).
   */
  verify(token: string): AccessTokenClaims | undefined;
}

/**
 * HS256 tokens signed and verified with one KeyObject made from the secret (its UTF-8 bytes, as jsonwebtoken
 * reads a string secret, so tokens stay valid across the change). Given the string, jsonwebtoken builds a
 * key on every call, after first trying to read it as a PEM public key, which would dominate the CPU time
 * of an authenticated request.
 */
export function createAccessTokens(settings: TokenSettings): AccessTokens {
  const key = createSecretKey(Buffer.from(settings.secret, 'utf8'));
  return {
    expiresInSeconds: settings.expiresInSeconds,
    sign: ({ userId, sessionId }) =>
      jwt.sign({ sid: sessionId }, key, { algorithm: 'HS256', subject: userId, expiresIn: settings.expiresInSeconds }),
    verify: (token) => {
      try {
        const payload = jwt.verify(token, key, { algorithms: ['HS256'] });
        if (typeof payload !== 'object' || typeof payload.exp !== 'number' || typeof payload.sub !== 'string')
          return undefined;
        const { sid } = payload as { sid?: unknown };
        if (typeof sid !== 'string' || sid.length === 0) return undefined;
        return { userId: payload.sub, sessionId: sid };
      } catch {
        return undefined;
      }
    },
  };
}
