import bcrypt from 'bcryptjs';

/** bcrypt only reads the first 72 bytes of a password; longer ones are refused, never truncated. */
export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_BYTES = 72;

export function passwordProblem(password: string): string | undefined {
  // Characters are code points ('🔑' is one), as JSON Schema's minLength in the API document counts them.
  if ([...password].length < PASSWORD_MIN_CHARS) return `Password must be at least ${PASSWORD_MIN_CHARS} characters`;
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    return `Password must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`;
  }
  return undefined;
}

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
