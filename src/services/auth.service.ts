import { isValidObjectId, Types } from 'mongoose';
import { isDuplicateKeyError } from '../lib/db-errors';
import { Conflict, Unauthorized } from '../lib/errors';
import { createAccessTokens, type TokenSettings } from '../lib/jwt';
import { passwordHasher } from '../lib/password-hasher';
import { UserModel, type Role, type UserDocument } from '../models/user.model';

export interface PublicUser {
  id: string;
  name: string;
  email: string;
  role: Role;
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
}

export function toPublicUser(user: UserDocument): PublicUser {
  return { id: user.id, name: user.name, email: user.email, role: user.role };
}

export function createAuthService(options: AuthServiceOptions) {
  const tokens = createAccessTokens(options.jwt);
  const hasher = passwordHasher(options.hashThreads ?? 0);
  // Login hashes against this when the email is unknown, so both failures cost the same time.
  let dummyHash: Promise<string> | undefined;
  const timingDummy = () => (dummyHash ??= hasher.hash('timing-equaliser-not-a-password', options.bcryptCost));

  async function register(input: RegistrationInput): Promise<PublicUser> {
    const passwordHash = await hasher.hash(input.password, options.bcryptCost);
    try {
      // The role is not taken from the input: every self-registered account is a plain user.
      const user = await UserModel.create({ name: input.name, email: input.email, passwordHash, role: 'user' });
      return toPublicUser(user);
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new Conflict('Email is already registered', 'EMAIL_TAKEN');
      throw error;
    }
  }

  async function login(email: string, password: string): Promise<string> {
    const user = await UserModel.findOne({ email }).select({ passwordHash: 1 }).lean<{ _id: Types.ObjectId; passwordHash: string }>();
    const matches = await hasher.verify(password, user?.passwordHash ?? (await timingDummy()));
    if (!user || !matches) throw new Unauthorized('Invalid email or password', 'INVALID_CREDENTIALS');
    return `Bearer ${tokens.sign(user._id.toHexString())}`;
  }

  /** The current user behind a bearer token; the role is read fresh so demotions and deletions apply at once. */
  async function userForToken(token: string): Promise<PublicUser> {
    const userId = tokens.verify(token);
    if (!userId || !isValidObjectId(userId)) throw new Unauthorized('Invalid or expired token', 'INVALID_TOKEN');
    // Every authenticated request reads this: straight from the model's collection (no query casting, no
    // document), only what PublicUser shows. The id was validated above.
    const user = await UserModel.collection.findOne<{ _id: Types.ObjectId; name: string; email: string; role: Role }>(
      { _id: new Types.ObjectId(userId) },
      { projection: { name: 1, email: 1, role: 1 } },
    );
    if (!user) throw new Unauthorized('Invalid or expired token', 'INVALID_TOKEN');
    return { id: user._id.toHexString(), name: user.name, email: user.email, role: user.role };
  }

  return { register, login, userForToken };
}

export type AuthService = ReturnType<typeof createAuthService>;
