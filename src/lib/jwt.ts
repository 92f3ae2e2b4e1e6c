import jwt from 'jsonwebtoken';

export interface TokenSettings {
  secret: string;
  expiresInSeconds: number;
}

export function signAccessToken(userId: string, settings: TokenSettings): string {
  return jwt.sign({}, settings.secret, { algorithm: 'HS256', subject: userId, expiresIn: settings.expiresInSeconds });
}

/**
 * Returns the token's subject, or undefined for any token that is not ours and current: wrong
 * signature, another algorithm (`none` included), no `exp`, expired, or no subject.
 */
export function verifyAccessToken(token: string, settings: TokenSettings): string | undefined {
  try {
    const payload = jwt.verify(token, settings.secret, { algorithms: ['HS256'] });
    if (typeof payload !== 'object' || typeof payload.exp !== 'number' || typeof payload.sub !== 'string') return undefined;
    return payload.sub;
  } catch {
    return undefined;
  }
}
