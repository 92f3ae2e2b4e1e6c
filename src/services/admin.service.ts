import { isDuplicateKeyError } from '../lib/db-errors';
import { hashPassword } from '../lib/password';
import { UserModel } from '../models/user.model';

export interface AdminAccount {
  email: string;
  password: string;
  name: string;
}

/**
 * Makes sure the account exists with role admin (and, for the create-admin command, enabled). Idempotent and safe when several instances boot at
 * once: one upsert wins the unique email index, the others retry and find it.
 * At boot an existing account keeps its password (`resetPassword: false`); the create-admin command
 * sets it, since an operator running it by hand expects the password they typed to work.
 */
export async function ensureAdmin(account: AdminAccount, options: { bcryptCost: number; resetPassword: boolean }) {
  const email = account.email.trim().toLowerCase();
  const passwordHash = await hashPassword(account.password, options.bcryptCost);
  // The create-admin command is also the way back in: it enables the account too (a disabled one could not log in).
  const update = options.resetPassword
    ? { $set: { role: 'admin', passwordHash, disabled: false }, $setOnInsert: { name: account.name } }
    : { $set: { role: 'admin' }, $setOnInsert: { name: account.name, passwordHash } };
  for (let attempt = 1; ; attempt += 1) {
    try {
      await UserModel.updateOne({ email }, update, { upsert: true });
      const admin = await UserModel.findOne({ email }).orFail();
      return { id: admin.id, email: admin.email };
    } catch (error) {
      if (!isDuplicateKeyError(error) || attempt >= 3) throw error;
    }
  }
}
