/**
 * Secrets never reach a log line. Two nets, applied to every line's fields (and to messages):
 * - by name: a field whose name says it holds a secret (password, token, secret, authorization, cookie,
 *   signature, API key, JWT, credentials) is replaced whatever its value, at any depth;
 * - by shape: text that looks like a credential (a JWT, a bearer header value, a Stripe secret key,
 *   client secret, webhook secret or Stripe-Signature header, the password in a connection string, a
 *   URL query parameter named like a secret) is masked inside any string, error messages and stacks included.
 * A password in free text has no shape, so code must keep passwords in fields of that name, or out.
 */
export const REDACTED = '[redacted]';

const SECRET_NAME = /passw|passphrase|secret|token|authori[sz]ation|cookie|signature|api[-_]?key|jwt|credential/i;

const SECRET_SHAPES = new RegExp(
  [
    String.raw`\beyJ[\w-]*\.[\w-]+\.[\w-]*`, // a JWT: base64url header "{"... . payload . signature
    String.raw`\bBearer\s+[^\s"',;]+`, // an Authorization header value, whatever the token
    String.raw`\b(?:sk|rk)_(?:test|live)_\w+`, // Stripe secret and restricted keys
    String.raw`\bwhsec_\w+`, // webhook signing secrets
    String.raw`\b(?:pi|seti)_\w+?_secret_\w+`, // PaymentIntent / SetupIntent client secrets
    String.raw`\bt=\d+(?:,\s*v\d+=[\da-f]+)+`, // a Stripe-Signature header
  ].join('|'),
  'gi',
);
const CONNECTION_STRING_PASSWORD = /(\b[a-z][\w+.-]*:\/\/[^:/@\s]+:)[^@\s]+@/gi;
/** `?access_token=...`, `&password=...` in a logged URL. */
const SECRET_QUERY_PARAMETER =
  /([?&][^=&#\s]*(?:passw|secret|token|signature|api[-_]?key|jwt|auth)[^=&#\s]*=)[^&#\s]+/gi;

/** Deep enough for any field the code logs; deeper (or circular) structures are cut here. */
const MAX_DEPTH = 6;

/**
 * Every pattern above needs one of these (an `_` or `@`, a JWT's start, "bearer", a signature's `t=<digits>`, or
 * a secret-like parameter name before an `=`): text with none of them (most of what is logged, `?limit=20`
 * included) is scanned once or twice, not three times. The first test is the cheap one (a few characters).
 */
const MAY_HOLD_SECRET = /[_=@]|eyJ|bearer/i;
const NEEDS_A_SCAN = /[_@]|eyJ|bearer|t=\d|passw|secret|token|signature|api-?key|jwt|auth/i;

export function redactText(text: string): string {
  if (!MAY_HOLD_SECRET.test(text) || !NEEDS_A_SCAN.test(text)) return text;
  return text
    .replace(SECRET_SHAPES, REDACTED)
    .replace(CONNECTION_STRING_PASSWORD, `$1${REDACTED}@`)
    .replace(SECRET_QUERY_PARAMETER, `$1${REDACTED}`);
}

export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  return redactObject(fields, 0);
}

function redactObject(object: object, depth: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const value = (object as Record<string, unknown>)[key];
    copy[key] =
      SECRET_NAME.test(key) && value !== undefined && value !== null ? REDACTED : redactValue(value, depth + 1);
  }
  return copy;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return '[nested too deep]';
  if (value instanceof Error) {
    const { name, message, stack } = value;
    return {
      ...redactObject(value, depth),
      type: name,
      message: redactText(message),
      ...(stack && { stack: redactText(stack) }),
    };
  }
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  // Dates, ObjectIds, documents: what JSON would show of them.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return redactValue((value as { toJSON(): unknown }).toJSON(), depth + 1);
  return redactObject(value, depth);
}
