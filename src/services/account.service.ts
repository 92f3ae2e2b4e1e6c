import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { Conflict, Forbidden, Unauthorized, ValidationError } from '../lib/errors';
import { digestOf } from '../lib/opaque-token';
import type { PasswordHasher } from '../lib/password-hasher';
import type { Outbox } from '../mail/outbox';
import { AccountTokenModel, type AccountTokenPurpose } from '../models/account-token.model';
import { userCollection } from '../models/user.model';
import type { PublicUser } from './auth.service';
import type { SessionService } from './session.service';

/**
 * What an account holder does with their own account: name, password, a forgotten password, the email
 * verification. Every password change ends sessions in the same update that sets the new hash.
 */
export function createAccountService(deps: {
  hasher: PasswordHasher;
  bcryptCost: number;
  sessions: SessionService;
  outbox: Outbox;
  clock: () => Date;
}) {
  const { hasher, sessions, outbox, clock } = deps;
  const users = userCollection;

  async function updateProfile(userId: string, changes: { name: string }): Promise<PublicUser> {
    const user = await users().findOneAndUpdate(
      { _id: new Types.ObjectId(userId) },
      { $set: { name: changes.name, updatedAt: clock() } },
      { returnDocument: 'after', projection: { name: 1, email: 1, role: 1 } },
    );
    if (!user) throw new Unauthorized('Invalid or expired token', 'INVALID_TOKEN');
    return { id: user._id.toHexString(), name: user.name, email: user.email, role: user.role };
  }

  /**
   * The current password is checked, then the new hash is set by an update whose filter holds the hash that was
   * checked and the current session: a concurrent change or a logout in between makes it a no-op (refused), never
   * a lost update. The same update keeps only this session, so every other one ends at once.
   */
  async function changePassword(
    userId: string,
    sessionId: string,
    currentPassword: string,
    newPassword: string,
  ): Promise<void> {
    const _id = new Types.ObjectId(userId);
    const user = await users().findOne({ _id, sessions: sessionId }, { projection: { passwordHash: 1 } });
    if (!user) throw new Unauthorized('Invalid or expired token', 'INVALID_TOKEN');
    if (!(await hasher.verify(currentPassword, user.passwordHash)))
      throw new Forbidden('The current password is wrong', 'WRONG_PASSWORD');
    const passwordHash = await hasher.hash(newPassword, deps.bcryptCost);
    const now = clock();
    const changed = await users().updateOne(
      { _id, passwordHash: user.passwordHash, sessions: sessionId },
      { $set: { passwordHash, sessions: [sessionId], passwordChangedAt: now, updatedAt: now } },
    );
    if (changed.modifiedCount !== 1) {
      // Logged out meanwhile, or the password was changed by another request: the one checked is no longer it.
      if ((await users().countDocuments({ _id, sessions: sessionId }, { limit: 1 })) === 0)
        throw new Unauthorized('Invalid or expired token', 'INVALID_TOKEN');
      throw new Forbidden('The current password is wrong', 'WRONG_PASSWORD');
    }
    await sessions.forgetOthers(_id, sessionId);
    await AccountTokenModel.deleteMany({ userId: _id, purpose: 'password_reset' });
  }

  /**
   * Records a password-reset mail for the address, whether or not an account has it: the request does the same
   * work either way (validation, the two rate limits, one insert), so neither its answer nor its timing says
   * whether the address is known. The worker looks the account up when it sends (src/mail/mails.ts) and skips
   * the mail when there is none. Each request is its own cause (a key of its own); the per-address limit bounds them.
   */
  async function forgotPassword(email: string): Promise<void> {
    await outbox.record({
      key: `password-reset:${randomUUID()}`,
      template: 'password-reset',
      to: email,
      data: { email },
    });
  }

  /** Spends a mailed token once (a conditional update), if it is live and of this purpose. */
  async function spendToken(token: string, purpose: AccountTokenPurpose) {
    const now = clock();
    return AccountTokenModel.findOneAndUpdate(
      { _id: digestOf(token), purpose, usedAt: null, expiresAt: { $gt: now } },
      { $set: { usedAt: now } },
      { returnDocument: 'before' },
    ).lean();
  }

  /**
   * Sets a new password with a mailed token and ends every session. The token is spent first, so two uses at
   * once set one password; the new hash is computed before, so a slow hash cannot leave it spent for nothing.
   */
  async function resetPassword(token: string, newPassword: string): Promise<void> {
    const passwordHash = await hasher.hash(newPassword, deps.bcryptCost);
    const spent = await spendToken(token, 'password_reset');
    if (!spent)
      throw new ValidationError(
        'This reset link is invalid, used or expired: ask for a new one',
        undefined,
        'INVALID_RESET_TOKEN',
      );
    const now = clock();
    const reset = await users().updateOne(
      { _id: spent.userId, email: spent.email },
      { $set: { passwordHash, sessions: [], passwordChangedAt: now, updatedAt: now } },
    );
    if (reset.matchedCount !== 1)
      throw new ValidationError(
        'This reset link is invalid, used or expired: ask for a new one',
        undefined,
        'INVALID_RESET_TOKEN',
      );
    await sessions.forgetOthers(spent.userId);
    await AccountTokenModel.deleteMany({ userId: spent.userId, purpose: 'password_reset', usedAt: null });
  }

  /** Records a new verification mail for the account (limited per account by the route). */
  async function requestVerification(userId: string): Promise<void> {
    const _id = new Types.ObjectId(userId);
    const user = await users().findOne({ _id }, { projection: { emailVerifiedAt: 1 } });
    if (!user) throw new Unauthorized('Invalid or expired token', 'INVALID_TOKEN');
    if (user.emailVerifiedAt) throw new Conflict('The email address is already verified', 'EMAIL_ALREADY_VERIFIED');
    await outbox.record({
      key: `email-verification:${userId}:${randomUUID()}`,
      template: 'email-verification',
      userId: _id,
    });
  }

  /** Marks the address the token was mailed to as verified, if it is still the account's address. */
  async function verifyEmail(token: string): Promise<void> {
    const spent = await spendToken(token, 'email_verification');
    const invalid = () =>
      new ValidationError(
        'This verification link is invalid, used or expired: ask for a new one',
        undefined,
        'INVALID_VERIFICATION_TOKEN',
      );
    if (!spent) throw invalid();
    const now = clock();
    const verified = await users().updateOne(
      { _id: spent.userId, email: spent.email, emailVerifiedAt: null },
      { $set: { emailVerifiedAt: now, updatedAt: now } },
    );
    // Not modified: verified already (by another mail's link), or the account no longer has that address.
    if (
      verified.modifiedCount !== 1 &&
      (await users().countDocuments({ _id: spent.userId, email: spent.email }, { limit: 1 })) !== 1
    )
      throw invalid();
  }

  /** For REQUIRE_VERIFIED_EMAIL_TO_ORDER: refuses an account whose address is not verified. */
  async function requireVerifiedEmail(userId: string): Promise<void> {
    const verified = await users().countDocuments(
      { _id: new Types.ObjectId(userId), emailVerifiedAt: { $ne: null } },
      { limit: 1 },
    );
    if (verified !== 1)
      throw new Forbidden(
        'Verify your email address before ordering: follow the link in the mail we sent',
        'EMAIL_NOT_VERIFIED',
      );
  }

  return {
    updateProfile,
    changePassword,
    forgotPassword,
    resetPassword,
    requestVerification,
    verifyEmail,
    requireVerifiedEmail,
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
