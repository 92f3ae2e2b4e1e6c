import { Types } from 'mongoose';
import { Unauthorized } from '../lib/errors';
import type { AccessTokens } from '../lib/jwt';
import type { Logger } from '../lib/logger';
import { digestOf, newOpaqueToken, newSessionId, OPAQUE_TOKEN_PATTERN } from '../lib/opaque-token';
import { RefreshTokenModel } from '../models/refresh-token.model';
import { userCollection } from '../models/user.model';

/** What a login or a refresh hands the client. */
export interface SessionTokens {
  /** `Bearer <JWT>`, as login has always returned it. */
  token: string;
  /** Seconds the access token lives. */
  expiresIn: number;
  refreshToken: string;
  /** Seconds the refresh token lives (each refresh issues a new one). */
  refreshTokenExpiresIn: number;
}

export interface SessionSettings {
  refreshTokenTtlMs: number;
  maxPerUser: number;
}

/** Expired refresh tokens are deleted at most this often per process (the MongoDB stand-in has no TTL deletion). */
const CLEANUP_EVERY_MS = 60_000;

/**
 * Sessions: one per login, named by a random id that its access tokens carry (`sid`) and its refresh tokens
 * belong to. The account's `sessions` list is the one truth about which sessions are live: the per-request read
 * of the user has the session id in its filter (auth.service.ts), and a refresh is honoured only while its
 * session is listed. Ending sessions is one update of that list, seen by every instance on its next read:
 * - logout removes one id, logout-all empties the list, a password change keeps only the current one;
 * - an admin disabling or demoting an account empties it in the same update (admin-user.service.ts);
 * - a refresh token used twice removes its session (the family of tokens that login's refreshes issued).
 * The list is bounded (SESSIONS_MAX_PER_USER): a login past it ends the account's oldest session.
 */
export function createSessionService(deps: {
  tokens: AccessTokens;
  settings: SessionSettings;
  clock: () => Date;
  logger: Logger;
  onReuse?: () => void;
}) {
  const { tokens, settings, clock, logger } = deps;
  const refreshTokenExpiresIn = Math.floor(settings.refreshTokenTtlMs / 1000);
  let lastCleanup = 0;

  async function issue(userId: Types.ObjectId, sessionId: string): Promise<SessionTokens> {
    const refreshToken = newOpaqueToken();
    const now = clock();
    // Straight into the collection (no document to build and validate): every login and refresh makes one.
    await RefreshTokenModel.collection.insertOne({
      _id: digestOf(refreshToken) as never,
      userId,
      sessionId,
      expiresAt: new Date(now.getTime() + settings.refreshTokenTtlMs),
      usedAt: null,
      createdAt: now,
    });
    return {
      token: `Bearer ${tokens.sign({ userId: userId.toHexString(), sessionId })}`,
      expiresIn: tokens.expiresInSeconds,
      refreshToken,
      refreshTokenExpiresIn,
    };
  }

  /**
   * Starts a session for an account whose password was just checked against `passwordHash`. The session is
   * listed only if the account is still enabled and still has that password, in the same conditional update:
   * a login racing a password change or a disable cannot leave a session behind it. Undefined when it lost.
   * The refresh token is stored first, so a crash in between leaves at most a token of a session that never was.
   */
  async function start(userId: Types.ObjectId, passwordHash: string): Promise<SessionTokens | undefined> {
    cleanupNowAndThen();
    const sessionId = newSessionId();
    const issued = await issue(userId, sessionId);
    const listed = await userCollection().updateOne(
      { _id: userId, passwordHash, disabled: { $ne: true } },
      { $push: { sessions: { $each: [sessionId], $slice: -settings.maxPerUser } } },
    );
    if (listed.modifiedCount === 1) return issued;
    await RefreshTokenModel.deleteMany({ userId, sessionId });
    return undefined;
  }

  /**
   * Rotates a refresh token: the presented one is spent (a conditional update: of two concurrent uses one
   * wins) and a new one of the same session is issued with a new access token. A token presented after it was
   * spent is the theft signal of the OAuth 2.0 Security BCP (one of two parties holds a copy): its whole
   * session ends, whoever holds which copy, and it is logged. The new token is stored before the old one is
   * spent, so a crash in between cannot spend a token without its successor existing.
   */
  async function refresh(presented: string): Promise<SessionTokens> {
    const invalid = () => new Unauthorized('Invalid or expired refresh token', 'INVALID_REFRESH_TOKEN');
    if (!OPAQUE_TOKEN_PATTERN.test(presented)) throw invalid();
    const _id = digestOf(presented);
    const now = clock();
    const stored = await RefreshTokenModel.findById(_id).lean();
    if (!stored || stored.expiresAt <= now) throw invalid();
    if (stored.usedAt) return reused(stored.userId, stored.sessionId);
    if (!(await isLive(stored.userId, stored.sessionId))) throw invalid();

    const next = await issue(stored.userId, stored.sessionId);
    const spent = await RefreshTokenModel.updateOne({ _id, usedAt: null }, { $set: { usedAt: now } });
    if (spent.modifiedCount === 1) return next;
    // Spent by someone else between the read and now: the same theft signal.
    await RefreshTokenModel.deleteOne({ _id: digestOf(next.refreshToken) });
    return reused(stored.userId, stored.sessionId);
  }

  async function reused(userId: Types.ObjectId, sessionId: string): Promise<never> {
    const ended = await endSession(userId, sessionId);
    deps.onReuse?.();
    logger.warn('refresh token used twice: its session is ended', {
      userId: userId.toHexString(),
      sessionId,
      wasLive: ended,
    });
    throw new Unauthorized(
      'This refresh token was already used: the session is ended, log in again',
      'REFRESH_TOKEN_REUSED',
    );
  }

  async function isLive(userId: Types.ObjectId, sessionId: string): Promise<boolean> {
    return (
      (await userCollection().countDocuments(
        { _id: userId, sessions: sessionId, disabled: { $ne: true } },
        { limit: 1 },
      )) === 1
    );
  }

  /** Ends one session (logout). True when it was live. */
  async function endSession(userId: Types.ObjectId, sessionId: string): Promise<boolean> {
    const ended = await userCollection().updateOne(
      { _id: userId, sessions: sessionId },
      { $pull: { sessions: sessionId } },
    );
    await RefreshTokenModel.deleteMany({ userId, sessionId });
    return ended.modifiedCount === 1;
  }

  /** Ends every session of the account (logout everywhere). */
  async function endAll(userId: Types.ObjectId): Promise<void> {
    await userCollection().updateOne({ _id: userId }, { $set: { sessions: [] } });
    await RefreshTokenModel.deleteMany({ userId });
  }

  /** After a change that ended every session but `kept` in the user's own update: their refresh tokens go too. */
  async function forgetOthers(userId: Types.ObjectId, kept?: string): Promise<void> {
    await RefreshTokenModel.deleteMany(kept === undefined ? { userId } : { userId, sessionId: { $ne: kept } });
  }

  function cleanupNowAndThen() {
    const at = clock().getTime();
    if (at - lastCleanup < CLEANUP_EVERY_MS) return;
    lastCleanup = at;
    RefreshTokenModel.deleteMany({ expiresAt: { $lte: new Date(at) } }).catch(() => undefined);
  }

  return { start, refresh, endSession, endAll, forgetOthers };
}

export type SessionService = ReturnType<typeof createSessionService>;

/** An id from a verified token, as an ObjectId (the token's subject was checked to be one). */
export function objectIdOf(id: string): Types.ObjectId {
  return new Types.ObjectId(id);
}
