import mongoose from 'mongoose';

/**
 * Start-up could not use the database. Its message is one line for the operator (what failed, where, what
 * to check), never the URI's user or password: the server, `npm run seed` and `npm run create-admin`
 * print it alone and exit 1, without a stack trace.
 */
export class DatabaseStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseStartupError';
  }
}

/** The embedded development MongoDB (no MONGOOSE_CONNECTION_STRING) could not start. */
export class EmbeddedDatabaseUnavailable extends DatabaseStartupError {}

/** Where a connection string points, as the driver itself parses it, and the credentials it carries (to keep them out of messages). */
export interface DatabaseAddress {
  /** `host:port, host:port` or the mongodb+srv name: never the user or password. */
  hosts: string;
  secrets: string[];
}

export function databaseAddress(uri: string): DatabaseAddress {
  try {
    // Parsing only: a MongoClient connects nothing until connect() is called.
    const { options } = new mongoose.mongo.MongoClient(uri);
    const credentials = options.credentials;
    return {
      hosts: options.srvHost ?? options.hosts.map(String).join(', '),
      secrets: [credentials?.username, credentials?.password].filter((s): s is string => Boolean(s)),
    };
  } catch {
    return { hosts: 'the host in MONGOOSE_CONNECTION_STRING', secrets: [] };
  }
}

/**
 * The driver's reason, on one line. Dropped altogether if it quotes the user name or password (the driver's
 * messages do not, but a message that did would print them).
 */
export function failureReason(error: unknown, address: DatabaseAddress): string | undefined {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  if (!text || address.secrets.some((secret) => text.includes(secret) || text.includes(encodeURIComponent(secret))))
    return undefined;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The driver could not get to any server (refused, DNS, timeout, TLS): worth retrying while the database may still be coming up. */
export function isUnreachable(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && /ServerSelection|Network/.test(name)) return true;
  // mongodb+srv resolves its hosts through DNS first: a resolver failure comes back as a plain Error.
  return /^query(Srv|Txt) E[A-Z]+/.test(error instanceof Error ? error.message : '');
}

/** The server refused the credentials: 18 AuthenticationFailed (MongoDB), 8000 "bad auth" (Atlas). */
function isAuthenticationFailure(error: unknown): boolean {
  const { code, codeName } = (error ?? {}) as { code?: unknown; codeName?: unknown };
  return (
    code === 18 ||
    codeName === 'AuthenticationFailed' ||
    (error instanceof Error && /\bbad auth\b|authentication failed/i.test(error.message))
  );
}

/** 13 Unauthorized: connected, but this user (or no user) may not do what start-up does (create indexes). */
function isAuthorizationFailure(error: unknown): boolean {
  const { code, codeName } = (error ?? {}) as { code?: unknown; codeName?: unknown };
  return code === 13 || codeName === 'Unauthorized';
}

/** Turns a start-up failure into its one line, or returns undefined for errors that are not about reaching or entering the database. */
export function explainStartupFailure(error: unknown, uri: string, waitedMs: number): DatabaseStartupError | undefined {
  if (error instanceof DatabaseStartupError) return error;
  const address = databaseAddress(uri);
  const reason = failureReason(error, address);
  const because = reason ? ` (${reason})` : '';
  const where = `MongoDB at ${address.hosts}`;
  if (isAuthenticationFailure(error)) {
    return new DatabaseStartupError(
      `${where} refused the user name or password in MONGOOSE_CONNECTION_STRING${because}: check both (special characters percent-encoded) and authSource; on Atlas they are a database user's (Database Access), not your Atlas login`,
    );
  }
  if (isAuthorizationFailure(error)) {
    return new DatabaseStartupError(
      `${where} does not let this connection create indexes${because}: MONGOOSE_CONNECTION_STRING needs a user with the readWrite role on its database`,
    );
  }
  if (isUnreachable(error)) {
    return new DatabaseStartupError(
      `Cannot reach ${where}${because}, retried for ${Math.round(waitedMs / 1000)} s (MONGO_STARTUP_TIMEOUT_MS): is mongod running there, is MONGOOSE_CONNECTION_STRING's host and port right, and on Atlas is this machine's IP address on the project's Network Access list?`,
    );
  }
  if ((error as { name?: unknown } | null)?.name === 'MongoParseError') {
    return new DatabaseStartupError(`MONGOOSE_CONNECTION_STRING is not a usable MongoDB URI${because}`);
  }
  return undefined;
}
