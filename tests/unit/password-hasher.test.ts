import { readdirSync, readFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import { passwordHasher } from '../../src/lib/password-hasher';

/** The nice value of one of this process's threads (Linux: field 19 of /proc/self/task/<tid>/stat). */
function niceOf(tid: string | number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

const threadNiceValues = () => readdirSync('/proc/self/task').map(niceOf);

describe('password hashing on worker threads', () => {
  const pool = passwordHasher(2);

  it('when the pool hashes a password, then bcryptjs verifies it, and the pool verifies what bcryptjs hashed', async () => {
    const password = 'correct horse 🔑 battery';

    const fromPool = await pool.hash(password, 4);
    const fromBcryptjs = await bcrypt.hash(password, 4);

    // Native bcrypt is a dependency with a prebuilt binary for this platform: falling back here would be a bug.
    expect(pool.implementation).toBe('bcrypt');
    expect(fromPool).toMatch(/^\$2b\$04\$/);
    expect(await bcrypt.compare(password, fromPool)).toBe(true);
    expect(await pool.verify(password, fromBcryptjs)).toBe(true);
    expect(await pool.verify('wrong password', fromBcryptjs)).toBe(false);
    expect(await pool.verify('abc\u0000xyz', await bcrypt.hash('abc\u0000def', 4))).toBe(false);
  });

  it('when more hashes are asked for than there are threads, then every one is answered with its own result', async () => {
    const passwords = Array.from({ length: 9 }, (_, i) => `password number ${i}`);

    const hashes = await Promise.all(passwords.map((password) => pool.hash(password, 4)));
    const checks = await Promise.all(
      passwords.map((password, i) => pool.verify(password, hashes[(i + 1) % hashes.length]!)),
    );

    expect(new Set(hashes).size).toBe(passwords.length);
    for (const [i, hash] of hashes.entries()) expect(bcrypt.compareSync(passwords[i]!, hash)).toBe(true);
    expect(checks.every((matches) => !matches)).toBe(true);
  });

  it('when the pool has hashed, then its threads run at the lowest priority and the main thread at its own', async () => {
    const before = threadNiceValues().filter((nice) => nice === 19).length;

    await Promise.all([pool.hash('first', 4), pool.hash('second', 4)]);

    const nice = threadNiceValues();
    expect(nice.filter((value) => value === 19).length).toBeGreaterThanOrEqual(Math.max(before, 2));
    expect(niceOf(process.pid)).toBe(0);
  });

  it('when no threads are configured, then hashing runs on the event loop with bcryptjs and gives the same hashes', async () => {
    const inline = passwordHasher(0);

    const hash = await inline.hash('inline password', 4);

    expect(inline.implementation).toBe('bcryptjs');
    expect(await pool.verify('inline password', hash)).toBe(true);
  });
});
