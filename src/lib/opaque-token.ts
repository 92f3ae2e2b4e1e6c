import { createHash, randomBytes } from 'node:crypto';

/**
 * Secrets handed to a client or mailed (refresh tokens, password-reset and verification tokens): 256 random
 * bits, base64url. Only their SHA-256 digest is stored, so a copy of the database holds nothing usable; a
 * digest is enough (no salt, no slow hash) because the token itself is random, not chosen by a person.
 */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function digestOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** A session's id: unguessable (it is no credential on its own, but it names what a logout ends). */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/** The shape newOpaqueToken makes: anything else is refused before a lookup. */
export const OPAQUE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
