import { isValidObjectId, Types } from 'mongoose';
import { isDuplicateKeyError } from '../lib/db-errors';
import { Conflict, Forbidden, Unauthorized } from '../lib/errors';
import { createAccessTokens, type TokenSettings } from '../lib/jwt';
import { silentLogger, type Logger } from '../lib/logger';
import { passwordHasher } from '../lib/password-hasher';
import { noOutbox, type Outbox } from '../mail/outbox';
import { UserModel, userCollection, type Role, type UserDocument } from '../models/user.model';
import { createSessionService, type SessionService, type SessionSettings, type SessionTokens } from './session.service';

export interface PublicUser {
  id: string;
  name: string;
  email: string;
  role: Role;
}

/** The user behind a request's token, and the session the token belongs to. */
export interface SessionUser {
  user: PublicUser;
  sessionId: string;
}

export interface RegistrationInput {
  name: string;
  email: string;
  password: string;
}

export interface AuthServiceOptions {
  jwt: TokenSettings;
  bcryptCost: number;
  /** Worker threads for bcrypt (src/lib/password-hasher.ts); 0 or absent: on the event loop. */
  hashThreads?: number;
  sessions?: SessionSettings;
  /** Where the verification mail of a registration is recorded. */
  outbox?: Outbox;
  clock?: () => Date;
  logger?: Logger;
  /** Told when a refresh token is used twice. */
  onRefreshTokenReuse?: () => void;
}

const DEFAULT_SESSIONS: SessionSettings = { refreshTokenTtlMs: 30 * 86_400_000, maxPerUser: 10 };

export function toPublicUser(user: UserDocument): PublicUser {
  return { id: user.id, name: user.name, email: user.email, role: user.role };
}

/** The key of the verification mail a registration records (one per account). */
export const registrationMailKey = (userId: Types.ObjectId) =>
  `email-verification:${userId.toHexString()}:registration`;

export function createAuthService(options: AuthServiceOptions) {
  const tokens = createAccessTokens(options.jwt);
  const hasher = passwordHasher(options.hashThreads ?? 0);
  const outbox = options.outbox ?? noOutbox;
  const sessions: SessionService = createSessionService({
    tokens,
    settings: options.sessions ?? DEFAULT_SESSIONS,
    clock: options.clock ?? (() => new Date()),
    logger: options.logger ?? silentLogger,
    onReuse: options.onRefreshTokenReuse,
  });
  // Login hashes against this when the email is unknown, so both failures cost the same time.
  let dummyHash: Promise<string> | undefined;
  const timingDummy = () => (dummyHash ??= hasher.hash('timing-equaliser-not-a-password', options.bcryptCost));

  /**
   * The verification mail is recorded before the account is stored, under the account's id chosen here: a
   * crash between the two leaves a mail whose account never came (skipped when it is due), never an account
   * whose mail was lost. The worker waits for the account when it is quicker than this insert.
   */
  async function register(input: RegistrationInput): Promise<PublicUser> {
    const passwordHash = await hasher.hash(input.password, options.bcryptCost);
    const _id = new Types.ObjectId();
    await outbox.record({ key: registrationMailKey(_id), template: 'email-verification', userId: _id });
    try {
      // The role is not taken from the input: every self-registered account is a plain user.
      const user = await UserModel.create({ _id, name: input.name, email: input.email, passwordHash, role: 'user' });
      return toPublicUser(user);
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        await outbox.discard(registrationMailKey(_id), 'registration_refused');
        throw new Conflict('Email is already registered', 'EMAIL_TAKEN');
      }
      throw error;
    }
  }

  /**
   * Checks the password and starts a session. A disabled account is refused with 403, but only to whoever
   * gives its right password; everyone else gets the one 401 an unknown email gets.
   */
  async function login(email: string, password: string): Promise<SessionTokens> {
    const user = await userCollection().findOne({ email }, { projection: { passwordHash: 1, disabled: 1 } });
    const matches = await hasher.verify(password, user?.passwordHash ?? (await timingDummy()));
    const refused = () => new Unauthorized('Invalid email or password', 'INVALID_CREDENTIALS');
    if (!user || !matches) throw refused();
    if (user.disabled) throw new Forbidden('This account is disabled', 'ACCOUNT_DISABLED');
    // Lost only to a password change or a disable made since the check above: as if the password were wrong.
    const issued = await sessions.start(user._id, user.passwordHash);
    if (!issued) throw refused();
    return issued;
  }

  /**
   * The current user behind a bearer token, read on every authenticated request: one read, straight from the
   * collection (no query casting, no document), of only what PublicUser shows. The token's session id is in
   * the filter, so a session that has ended (logout, password change, an admin's disable or demotion, a reused
   * refresh token) finds nothing, on every instance, with no other lookup. The role is read fresh, so a
   * promotion applies to the token the user already has.
   */
  async function userForToken(token: string): Promise<SessionUser> {
    const claims = tokens.verify(token);
    if (!claims || !isValidObjectId(claims.userId)) throw new Unauthorized('Invalid or expired token', 'INVALID_TOKEN');
    const user = await userCollection().findOne<{ _id: Types.ObjectId; name: string; email: string; role: Role }>(
      { _id: new Types.ObjectId(claims.userId), sessions: claims.sessionId },
      { projection: { name: 1, email: 1, role: 1 } },
    );
    if (!user) throw new Unauthorized('Invalid or expired token', 'INVALID_TOKEN');
    return {
      user: { id: user._id.toHexString(), name: user.name, email: user.email, role: user.role },
      sessionId: claims.sessionId,
    };
  }

  return { register, login, userForToken, sessions, hasher };
}

export type AuthService = ReturnType<typeof createAuthService>;
