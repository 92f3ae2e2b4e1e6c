/**
 * Every machine-readable `code` an error body can carry, with the HTTP status it always comes with and
 * what it means. AppError only takes codes from here, so a new code cannot reach a client without being
 * added here first; the OpenAPI document lists each route's codes from this table (src/openapi).
 */
export const ERROR_CODES = {
  // 400: the request is wrong and changes nothing.
  VALIDATION_ERROR: {
    status: 400,
    meaning: 'A parameter, header or body field is invalid; `details` lists each problem with its `path`',
  },
  MALFORMED_JSON: { status: 400, meaning: 'The body is not valid JSON' },
  BAD_REQUEST: {
    status: 400,
    meaning: 'The request could not be read (not well-formed HTTP, malformed URL encoding, aborted or mis-sized body)',
  },
  MALFORMED_URL: { status: 400, meaning: 'The path has a broken percent-encoding (`/api/products/%`)' },
  INVALID_VALUE: { status: 400, meaning: 'A value could not be read as its type' },
  INVALID_CURSOR: { status: 400, meaning: 'The cursor was not issued for this list with these filters and sort' },
  INVALID_RESET_TOKEN: {
    status: 400,
    meaning: 'The password-reset token is unknown, already used or expired: ask for a new one',
  },
  INVALID_VERIFICATION_TOKEN: {
    status: 400,
    meaning: 'The email-verification token is unknown, already used or expired: ask for a new one',
  },
  MIXED_CURRENCY: { status: 400, meaning: 'The items of an order are priced in more than one currency' },
  AMOUNT_OUT_OF_RANGE: {
    status: 400,
    meaning: "The order total is outside the currency's chargeable minimum or maximum",
  },
  PAYMENT_REQUEST_REJECTED: {
    status: 400,
    meaning: 'The payment provider refused the request (unknown payment method, ...)',
  },
  INVALID_SIGNATURE: {
    status: 400,
    meaning:
      "The webhook delivery is not correctly signed by Stripe, or is too old; `details[0].message` is the verifier's reason (no matching signature: another secret or a changed body; outside the tolerance zone: too old)",
  },
  INVALID_EVENT: {
    status: 400,
    meaning:
      'A correctly signed webhook event lacks, or has malformed, a field this service reads; `details` lists each; nothing was recorded',
  },
  // 401: no valid credentials.
  UNAUTHORIZED: { status: 401, meaning: 'No Authorization header' },
  INVALID_TOKEN: {
    status: 401,
    meaning: 'The Authorization header is not "Bearer" and a token, or the token is invalid or expired',
  },
  INVALID_CREDENTIALS: { status: 401, meaning: 'Unknown email or wrong password (the same answer for both)' },
  INVALID_METRICS_TOKEN: { status: 401, meaning: 'GET /metrics without `Authorization: Bearer <METRICS_TOKEN>`' },
  INVALID_REFRESH_TOKEN: {
    status: 401,
    meaning: 'The refresh token is unknown or expired, or its session has ended: log in again',
  },
  REFRESH_TOKEN_REUSED: {
    status: 401,
    meaning:
      'The refresh token had already been used: its whole session is ended (a copied token is the likely cause); log in again',
  },
  // 402: the card was declined.
  CARD_DECLINED: {
    status: 402,
    meaning: "The card was declined; `details[0].declineCode` carries the issuer's reason",
  },
  PAYMENT_DECLINED: { status: 402, meaning: 'The payment was declined' },
  // 403: authenticated, not allowed.
  FORBIDDEN: { status: 403, meaning: 'The account lacks the role or ownership this needs' },
  LIVE_MODE: { status: 403, meaning: 'Paying with test payment methods is refused with a live Stripe key' },
  ACCOUNT_DISABLED: {
    status: 403,
    meaning: 'The account is disabled by an admin (said only to whoever gives its right password)',
  },
  WRONG_PASSWORD: { status: 403, meaning: 'The current password given is wrong' },
  EMAIL_NOT_VERIFIED: {
    status: 403,
    meaning: 'Ordering needs a verified email address (REQUIRE_VERIFIED_EMAIL_TO_ORDER): follow the mailed link first',
  },
  // 404
  NOT_FOUND: { status: 404, meaning: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, meaning: 'No route has this method and path' },
  PRODUCT_NOT_FOUND: { status: 404, meaning: 'No such product, or it is archived' },
  ORDER_NOT_FOUND: { status: 404, meaning: 'No such order visible to this account' },
  USER_NOT_FOUND: { status: 404, meaning: 'No such account' },
  PAYMENT_METHOD_NOT_FOUND: {
    status: 404,
    meaning: "No such card saved on this account (another account's card included)",
  },
  SETUP_INTENT_NOT_FOUND: { status: 404, meaning: 'No such SetupIntent made for this account' },
  // 405
  METHOD_NOT_ALLOWED: {
    status: 405,
    meaning: 'The path exists but not with this method; the Allow header lists those it takes',
  },
  // 408
  REQUEST_TIMEOUT: {
    status: 408,
    meaning: 'The request (its headers and body) did not arrive within REQUEST_TIMEOUT_MS; the connection is closed',
  },
  // 409: the request conflicts with the current state.
  CONFLICT: { status: 409, meaning: 'The resource already exists' },
  EMAIL_TAKEN: { status: 409, meaning: 'The email is already registered (in any letter case)' },
  OUT_OF_STOCK: {
    status: 409,
    meaning: 'Not enough stock; `details` names the product, units requested and available',
  },
  STOCK_BUSY: {
    status: 409,
    meaning: 'Units of this order are held by orders still being placed (they may come back); retry shortly',
  },
  OPEN_ORDER_LIMIT: {
    status: 409,
    meaning:
      'The account holds as many unpaid orders or units as it may (ORDER_MAX_OPEN_PER_USER, ORDER_MAX_OPEN_UNITS_PER_USER); `details` names each cap',
  },
  CONCURRENT_UPDATE: {
    status: 409,
    meaning: 'The product changed while it was being updated; read it again and retry',
  },
  ORDER_NOT_PAYABLE: { status: 409, meaning: 'The order is not pending or failed' },
  ORDER_NOT_CANCELABLE: { status: 409, meaning: 'The order is not pending or failed' },
  ORDER_EXPIRED: { status: 409, meaning: 'The payment window of the order has closed' },
  NOT_AWAITING_AUTHENTICATION: {
    status: 409,
    meaning: "The order's payment is not waiting for the buyer's authentication",
  },
  SETUP_NOT_COMPLETE: {
    status: 409,
    meaning:
      'The SetupIntent has not succeeded yet: confirm it with Stripe.js (confirmCardSetup) first; `details[0].status` says where it is',
  },
  ALREADY_PAID: { status: 409, meaning: 'The payment succeeded before the cancel reached the provider' },
  IDEMPOTENCY_KEY_IN_USE: {
    status: 409,
    meaning: 'A request with this Idempotency-Key is still running; retry shortly',
  },
  EMAIL_ALREADY_VERIFIED: { status: 409, meaning: "The account's email address is already verified" },
  LAST_ADMIN: { status: 409, meaning: 'The change would leave no active admin: promote or enable another admin first' },
  ADMIN_CHANGE_BUSY: {
    status: 409,
    meaning: 'Other admin changes to accounts are being decided right now; retry shortly',
  },
  ORDER_NOT_REFUNDABLE: { status: 409, meaning: 'Only a paid or fulfilled order can be refunded' },
  REFUND_EXCEEDS_REMAINDER: {
    status: 409,
    meaning:
      'The amount is more than the paid amount minus what is refunded or already requested; `details[0].remaining` says what is left',
  },
  REFUND_REFUSED: { status: 409, meaning: 'The payment provider refused the refund; nothing was refunded' },
  REFUND_BUSY: { status: 409, meaning: 'Other refunds of this order are being recorded right now; retry shortly' },
  ORDER_DISPUTED: {
    status: 409,
    meaning:
      'The payment of this order is disputed (a chargeback or inquiry is open): no refund until the dispute closes',
  },
  ORDER_NOT_CAPTURABLE: {
    status: 409,
    meaning: 'Only an authorized order (manual capture) can be captured; a paid one is captured already',
  },
  CAPTURE_IN_PROGRESS: { status: 409, meaning: 'Another capture of this order is being made right now; retry shortly' },
  CAPTURE_REFUSED: {
    status: 409,
    meaning:
      'The payment provider refused the capture (the authorization was voided or lapsed); nothing was captured and the order follows the provider',
  },
  ORDER_NOT_VOIDABLE: {
    status: 409,
    meaning: 'Only an authorized order (manual capture) has an authorization to void',
  },
  ALREADY_CAPTURED: {
    status: 409,
    meaning: 'The payment was captured before the void reached the provider: the order is paid',
  },
  ORDER_NOT_FULFILLABLE: { status: 409, meaning: 'Only a paid (or authorized, captured first) order can be fulfilled' },
  REFUND_NEEDS_REVIEW: {
    status: 409,
    meaning:
      'A refund request with this Idempotency-Key was interrupted too long ago to be sent again safely: check the provider first',
  },
  // 413, 415
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The body is larger than JSON_BODY_LIMIT' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    meaning: 'The body is not application/json, or its encoding or charset is not supported',
  },
  // 422
  IDEMPOTENCY_KEY_REUSED: { status: 422, meaning: 'This Idempotency-Key was used with a different request body' },
  UNPROCESSABLE: { status: 422, meaning: 'The request cannot be processed' },
  // 429, 431
  RATE_LIMITED: {
    status: 429,
    meaning: 'Too many requests from this client in the current window; see the RateLimit header',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    meaning:
      "The URL and headers together are larger than the server reads (Node's --max-http-header-size, 16 KB by default); the connection is closed",
  },
  // 5xx: try again later; nothing was changed.
  INTERNAL_ERROR: { status: 500, meaning: 'An unexpected failure (a bug); the details are in the server log only' },
  PAYMENT_GATEWAY_ERROR: {
    status: 502,
    meaning: 'The payment provider could not be reached or failed; nothing was charged or kept',
  },
  SERVICE_UNAVAILABLE: { status: 503, meaning: 'Service temporarily unavailable' },
  DATABASE_UNAVAILABLE: { status: 503, meaning: 'The database does not answer; retry' },
  NOT_READY: { status: 503, meaning: 'Readiness: the database does not answer' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** The codes that go with one status: each AppError subclass takes only the codes of its own status. */
export type CodeWithStatus<S extends number> = {
  [K in ErrorCode]: (typeof ERROR_CODES)[K]['status'] extends S ? K : never;
}[ErrorCode];
