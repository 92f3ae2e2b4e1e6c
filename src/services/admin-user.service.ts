import { Types, type mongo, type QueryFilter } from 'mongoose';
import { isDuplicateKeyError } from '../lib/db-errors';
import { Conflict, Forbidden, NotFound } from '../lib/errors';
import { isoTimestamp } from '../lib/iso-time';
import { cutPage, pageFilter, sortFor, type KeysetOrder } from '../lib/keyset';
import { escapeRegex } from '../lib/regex';
import { AdminGuardModel, type PendingAdminChange } from '../models/admin-guard.model';
import { AuditEntryModel, type AuditEntry, type AuditEntryRow } from '../models/audit-entry.model';
import { RefreshTokenModel } from '../models/refresh-token.model';
import { userCollection, type Role, type UserRecord } from '../models/user.model';
import type { AdminUserChanges, ListAdminUsersQuery, ListAuditQuery } from '../schemas/admin.schemas';

const BY_EMAIL: KeysetOrder = { name: 'email', field: 'email', direction: 1, kind: 'string' };
const NEWEST: KeysetOrder = { name: 'newest', field: 'at', direction: -1, kind: 'date' };
const GUARD_ID = 'account-role-changes';
/** Decisions lost to other admins' before this one gives up (409 ADMIN_CHANGE_BUSY). */
const MAX_ROUNDS = 20;

type ListedUser = Pick<
  UserRecord,
  '_id' | 'name' | 'email' | 'role' | 'disabled' | 'emailVerifiedAt' | 'sessions' | 'createdAt'
>;

export interface Actor {
  id: string;
  email: string;
}

function viewOf(user: ListedUser) {
  return {
    id: user._id.toHexString(),
    name: user.name,
    email: user.email,
    role: user.role,
    disabled: user.disabled === true,
    emailVerified: Boolean(user.emailVerifiedAt),
    activeSessions: user.sessions?.length ?? 0,
    createdAt: isoTimestamp(user.createdAt),
  };
}

const LISTED = { name: 1, email: 1, role: 1, disabled: 1, emailVerifiedAt: 1, sessions: 1, createdAt: 1 } as const;
const isActiveAdmin = (user: { role: Role; disabled?: boolean }) => user.role === 'admin' && user.disabled !== true;

/**
 * Accounts for admins: the list, role and disabled changes, and their audit trail.
 *
 * The last active admin can never be demoted or disabled, also when two admins demote each other at the same
 * moment, without transactions. Every change to an account's role or disabled flag is decided through one
 * document (`adminguards`, see its model), one decision at a time:
 * 1. read the guard (its `seq`), and first finish the changes it records as decided but maybe not applied;
 * 2. read the accounts as they now are: the actor must still be an active admin, and a change that takes away
 *    an active admin needs another one;
 * 3. decide: one conditional update sets `seq` to seq + 1 only if it is still seq, and records the change
 *    (and its audit entry) in `pending`. Whoever loses that compare-and-set starts again at 1, so every decision
 *    was made on the state every earlier decision left;
 * 4. apply: the account gets the change (and loses its sessions when disabled or demoted) only if it has no
 *    later decision applied yet (`adminSeq`), the audit entry is written under its unique `seq`, and the change
 *    leaves `pending`. A crash anywhere in 4 is finished by the next decision (step 1), at most once each.
 * Of two admins demoting each other, one decision wins; the other is decided after it, on the state it left:
 * its actor is no longer an admin (403), or its target is the last one (409 LAST_ADMIN).
 */
export function createAdminUserService(deps: { clock: () => Date }) {
  const { clock } = deps;
  const users = userCollection;

  async function listUsers(query: ListAdminUsersQuery) {
    const { limit, cursor, ...filters } = query;
    const where: mongo.Filter<UserRecord> = {};
    if (filters.role) where.role = filters.role;
    if (filters.disabled !== undefined) where.disabled = filters.disabled;
    if (filters.email) where.email = { $regex: `^${escapeRegex(filters.email)}` };
    const rows = await users()
      .find<ListedUser>(pageFilter(BY_EMAIL, filters, where, cursor), { projection: LISTED })
      .sort(sortFor(BY_EMAIL))
      .limit(limit + 1)
      .toArray();
    const { page, nextCursor } = cutPage(BY_EMAIL, filters, rows as Array<ListedUser & Record<string, unknown>>, limit);
    return { users: page.map(viewOf), nextCursor };
  }

  async function guard() {
    const found = await AdminGuardModel.findById(GUARD_ID).lean();
    if (found) return found;
    try {
      await AdminGuardModel.create({ _id: GUARD_ID, seq: 0, pending: [] });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    return AdminGuardModel.findById(GUARD_ID).lean().orFail();
  }

  /** Step 4: idempotent, so a decision finished twice (by its own request and by the next one) applies once. */
  async function apply(change: PendingAdminChange) {
    const set: Partial<UserRecord> = { adminSeq: change.seq, updatedAt: clock() };
    if (change.set.role) set.role = change.set.role as Role;
    if (typeof change.set.disabled === 'boolean') set.disabled = change.set.disabled;
    if (change.endSessions) set.sessions = [];
    await users().updateOne(
      { _id: change.userId, $or: [{ adminSeq: { $lt: change.seq } }, { adminSeq: { $exists: false } }] },
      { $set: set },
    );
    if (change.endSessions) await RefreshTokenModel.deleteMany({ userId: change.userId });
    try {
      await AuditEntryModel.create({ ...(change.audit as Omit<AuditEntry, 'seq'>), seq: change.seq });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error; // written already
    }
    await AdminGuardModel.updateOne({ _id: GUARD_ID }, { $pull: { pending: { seq: change.seq } } });
  }

  /** Finishes decided changes a crash may have left half-applied (also run at start-up). */
  async function finishPending(): Promise<number> {
    const { pending } = await guard();
    for (const change of pending) await apply(change);
    return pending.length;
  }

  async function updateUser(actor: Actor, targetId: string, changes: AdminUserChanges, requestId: string | undefined) {
    const _id = new Types.ObjectId(targetId);
    const actorId = new Types.ObjectId(actor.id);
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const { seq, pending } = await guard();
      for (const change of pending) await apply(change);

      const target = await users().findOne({ _id }, { projection: LISTED });
      if (!target) throw new NotFound('No such account', 'USER_NOT_FOUND');
      const actorNow = await users().findOne({ _id: actorId }, { projection: { role: 1, disabled: 1 } });
      if (!actorNow || !isActiveAdmin(actorNow)) throw new Forbidden('This action requires the admin role');

      const set: { role?: Role; disabled?: boolean } = {};
      if (changes.role !== undefined && changes.role !== target.role) set.role = changes.role;
      if (changes.disabled !== undefined && changes.disabled !== (target.disabled === true))
        set.disabled = changes.disabled;
      if (Object.keys(set).length === 0) return viewOf(target);

      const after = { role: set.role ?? target.role, disabled: set.disabled ?? target.disabled === true };
      if (isActiveAdmin(target) && !isActiveAdmin(after)) {
        const others = await users().countDocuments(
          { role: 'admin', disabled: { $ne: true }, _id: { $ne: _id } },
          { limit: 1 },
        );
        if (others === 0)
          throw new Conflict('This would leave no active admin: promote or enable another admin first', 'LAST_ADMIN');
      }
      const endSessions = set.disabled === true || (target.role === 'admin' && set.role === 'user');
      const change = {
        seq: seq + 1,
        userId: _id,
        set,
        endSessions,
        audit: {
          at: clock(),
          action: 'user.updated',
          actor: { id: actorId, email: actor.email },
          target: { id: _id, email: target.email },
          changes: {
            ...(set.role !== undefined && { role: { from: target.role, to: set.role } }),
            ...(set.disabled !== undefined && { disabled: { from: target.disabled === true, to: set.disabled } }),
          },
          requestId: requestId ?? null,
        },
      };
      const decided = await AdminGuardModel.updateOne(
        { _id: GUARD_ID, seq },
        { $set: { seq: seq + 1 }, $push: { pending: change } },
      );
      if (decided.modifiedCount !== 1) continue; // another decision came first: decide again on what it left
      await apply(change as PendingAdminChange);
      const updated = await users().findOne({ _id }, { projection: LISTED });
      return viewOf(updated ?? { ...target, ...set });
    }
    throw new Conflict('Other changes to accounts are being decided right now: retry shortly', 'ADMIN_CHANGE_BUSY');
  }

  async function listAudit(query: ListAuditQuery) {
    const { limit, cursor, ...filters } = query;
    const where: QueryFilter<AuditEntry> = {};
    if (filters.targetId) where['target.id'] = new Types.ObjectId(filters.targetId);
    if (filters.actorId) where['actor.id'] = new Types.ObjectId(filters.actorId);
    const rows = (await AuditEntryModel.find(pageFilter(NEWEST, filters, where, cursor))
      .sort(sortFor(NEWEST))
      .limit(limit + 1)
      .lean()) as AuditEntryRow[];
    const { page, nextCursor } = cutPage(
      NEWEST,
      filters,
      rows as Array<AuditEntryRow & Record<string, unknown>>,
      limit,
    );
    return {
      entries: page.map((entry) => ({
        id: entry._id.toHexString(),
        at: isoTimestamp(entry.at),
        action: entry.action,
        actor: { id: entry.actor.id.toHexString(), email: entry.actor.email },
        target: { id: entry.target.id.toHexString(), email: entry.target.email },
        changes: {
          ...(entry.changes.role && {
            role: { from: entry.changes.role.from as Role, to: entry.changes.role.to as Role },
          }),
          ...(entry.changes.disabled && {
            disabled: { from: entry.changes.disabled.from === true, to: entry.changes.disabled.to === true },
          }),
        },
        requestId: entry.requestId ?? null,
      })),
      nextCursor,
    };
  }

  return { listUsers, updateUser, listAudit, finishPending };
}

export type AdminUserService = ReturnType<typeof createAdminUserService>;
