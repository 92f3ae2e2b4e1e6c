// @ts-check
/**
 * The shop's HTTP API as the pages use it: JSON in and out, the bearer token from the session, and every
 * error answer turned into an ApiError carrying the API's error body (message, code, details, requestId).
 */

/**
 * @typedef {object} Product
 * @property {string} id
 * @property {string} name
 * @property {string} description
 * @property {number} price
 * @property {string} currency
 * @property {number} stock
 */
/**
 * @typedef {object} OrderLine
 * @property {string} productId
 * @property {string} name
 * @property {number} unitPrice
 * @property {number} quantity
 * @property {number} lineTotal
 */
/** @typedef {'pending' | 'paid' | 'failed' | 'canceled' | 'refunded' | 'authorized' | 'fulfilled'} OrderStatus */
/**
 * @typedef {object} Order
 * @property {string} id
 * @property {OrderStatus} status
 * @property {OrderLine[]} items
 * @property {number} amount
 * @property {string} currency
 * @property {number} refundedAmount
 * @property {Array<{ id: string, amount: number, status: string, reason?: string | null, requestedAt: string }>} refunds
 * @property {{ code: string | null, declineCode: string | null, message: string | null } | null} lastPaymentError
 * @property {Array<{ status: OrderStatus, at: string, reason: string }>} history
 * @property {string} expiresAt
 * @property {string} createdAt
 * @property {'processing' | 'requires_action'} [paymentStatus]
 * @property {'disputed'} [paymentReview]
 * @property {number} [paidAmount]
 * @property {{ carrier: string | null, trackingNumber: string | null, fulfilledAt: string }} [fulfilment]
 */
/**
 * @template T
 * @typedef {{ data: T[], pagination: { limit: number, nextCursor: string | null } }} Page
 */
/** @typedef {{ id: string, name: string, email: string, role: string }} Profile */
/** What the buyer must do to finish a payment (3-D Secure): its type and the order's client secret. @typedef {{ type: string, clientSecret: string }} NextAction */
/**
 * What /pay answers. `requires_action` carries what the payment panel needs to finish it (3-D Secure).
 * @typedef {{ orderId: string, paymentIntentId: string, paymentStatus: string, nextAction?: NextAction }} PaymentSubmitted
 */
/**
 * The order's payment as it stands (GET /api/orders/:id/payment), for a page reloaded in the middle of paying.
 * @typedef {{ paymentStatus: string, clientSecret: string, nextAction?: NextAction, lastPaymentError?: { message: string | null } }} OrderPayment
 */
/** A card kept on the buyer's account. @typedef {{ id: string, brand: string, last4: string, expMonth: number, expYear: number }} SavedCard */
/**
 * GET /api/config: the payment mode and what Stripe.js is started with.
 * @typedef {{ mode: 'simulated' | 'stripe', livemode: boolean, testPaymentMethods: boolean, publishableKey: string | null, stripeJsUrl: string | null }} PaymentConfig
 */
/** @typedef {{ message: string, path?: string, [field: string]: unknown }} ErrorDetail */

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {{ message?: string, code?: string, details?: ErrorDetail[], requestId?: string }} body
   * @param {number | undefined} retryAfterSeconds
   */
  constructor(status, body, retryAfterSeconds) {
    super(body.message ?? `The shop answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code ?? 'UNKNOWN';
    /** @type {ErrorDetail[]} */
    this.details = body.details ?? [];
    this.requestId = body.requestId;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** @type {() => string | null} */
let currentToken = () => null;
/** @type {(error: ApiError) => void} */
let onUnauthorized = () => {};

/**
 * Where requests get the token ("Bearer <JWT>", as login returns it) and what happens when the API says it
 * is no longer valid.
 * @param {{ token: () => string | null, unauthorized: (error: ApiError) => void }} hooks
 */
export function configureApi(hooks) {
  currentToken = hooks.token;
  onUnauthorized = hooks.unauthorized;
}

/**
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, headers?: Record<string, string>, signal?: AbortSignal }} [options]
 * @returns {Promise<{ body: unknown, headers: Headers }>}
 */
export async function request(method, path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', ...options.headers };
  const token = headers.Authorization ?? currentToken();
  if (token) headers.Authorization = token;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  /** @type {RequestInit} */
  const init = { method, headers, cache: 'no-store' };
  if (options.body !== undefined) init.body = JSON.stringify(options.body);
  if (options.signal) init.signal = options.signal;
  const response = await fetch(path, init);
  /** @type {unknown} */
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('Retry-After'));
    const errorBody = /** @type {ConstructorParameters<typeof ApiError>[1]} */ (
      body !== null && typeof body === 'object' ? body : {}
    );
    const error = new ApiError(
      response.status,
      errorBody,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
    // Only the session's own token ending ends the session (not, say, the one a sign-out is revoking).
    if (response.status === 401 && token && token === currentToken() && error.code === 'INVALID_TOKEN')
      onUnauthorized(error);
    throw error;
  }
  return { body, headers: response.headers };
}

/** @param {Record<string, string | undefined>} query */
function queryString(query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The body of a successful answer, as the API documents it (src/schemas, /api/docs).
 * @template T
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, headers?: Record<string, string>, signal?: AbortSignal }} [options]
 * @returns {Promise<T>}
 */
async function answer(method, path, options) {
  return /** @type {T} */ ((await request(method, path, options)).body);
}

const orderPath = (/** @type {string} */ id) => `/api/orders/${encodeURIComponent(id)}`;

export const shop = {
  /** @param {{ cursor?: string }} query @returns {Promise<Page<Product>>} */
  products: (query) => answer('GET', `/api/products${queryString(query)}`),
  /** @param {{ name: string, email: string, password: string }} account @returns {Promise<unknown>} */
  register: (account) => answer('POST', '/api/registration', { body: account }),
  /** @param {{ email: string, password: string }} credentials @returns {Promise<string>} "Bearer <JWT>" */
  login: async (credentials) =>
    /** @type {{ token: string }} */ (await answer('POST', '/api/login', { body: credentials })).token,
  /** Ends the session of `token` on the server: it stops working everywhere. @param {string} token */
  logout: (token) => answer('POST', '/api/logout', { headers: { Authorization: token } }),
  /** @param {string} email @returns {Promise<unknown>} 202 whether or not an account has it */
  forgotPassword: (email) => answer('POST', '/api/password/forgot', { body: { email } }),
  /** @param {string} token from the reset mail @param {string} password @returns {Promise<unknown>} */
  resetPassword: (token, password) => answer('POST', '/api/password/reset', { body: { token, password } }),
  /** @param {string} token from the verification mail @param {AbortSignal} [signal] @returns {Promise<unknown>} */
  verifyEmail: (token, signal) => answer('POST', '/api/email/verify', { body: { token }, ...(signal && { signal }) }),
  /** @returns {Promise<unknown>} */
  requestVerificationMail: () => answer('POST', '/api/email/verification'),
  /** @param {string} [token] another token than the session's (the one login just gave) @returns {Promise<Profile>} */
  profile: async (token) =>
    /** @type {{ details: Profile }} */ (
      await answer('GET', '/api/profile', token ? { headers: { Authorization: token } } : {})
    ).details,
  /**
   * @param {Array<{ productId: string, quantity: number }>} items
   * @param {string} idempotencyKey one per checkout attempt: the same key and items again answer the same order
   * @returns {Promise<{ orderId: string, clientSecret: string, data: Order }>}
   */
  createOrder: (items, idempotencyKey) =>
    answer('POST', '/api/orders/create', { body: { items }, headers: { 'Idempotency-Key': idempotencyKey } }),
  /** @param {{ cursor?: string }} query @returns {Promise<Page<Order>>} */
  orders: (query) => answer('GET', `/api/orders${queryString(query)}`),
  /** @param {string} id @param {AbortSignal} [signal] @returns {Promise<Order>} */
  order: async (id, signal) =>
    /** @type {{ data: Order }} */ (await answer('GET', orderPath(id), signal ? { signal } : {})).data,
  /** @param {string} id @param {string} paymentMethod @returns {Promise<PaymentSubmitted>} */
  pay: async (id, paymentMethod) =>
    /** @type {{ data: PaymentSubmitted }} */ (
      await answer('POST', `${orderPath(id)}/pay`, { body: { paymentMethod } })
    ).data,
  /** @param {string} id @returns {Promise<Order>} */
  cancel: async (id) => /** @type {{ data: Order }} */ (await answer('POST', `${orderPath(id)}/cancel`)).data,
  /** @param {string} id @param {AbortSignal} signal @returns {Promise<OrderPayment>} */
  payment: async (id, signal) =>
    /** @type {{ data: OrderPayment }} */ (await answer('GET', `${orderPath(id)}/payment`, { signal })).data,
  /** Simulated payments only: the buyer's answer to the bank's challenge. @param {string} id @param {'complete' | 'fail'} outcome */
  authenticate: (id, outcome) => answer('POST', `${orderPath(id)}/authenticate`, { body: { outcome } }),
  /** @returns {Promise<PaymentConfig>} */
  paymentConfig: async () =>
    /** @type {{ data: { payments: PaymentConfig } }} */ (await answer('GET', '/api/config')).data.payments,
  /** @returns {Promise<SavedCard[]>} */
  savedCards: async () => /** @type {{ data: SavedCard[] }} */ (await answer('GET', '/api/payment-methods')).data,
  /** @returns {Promise<{ setupIntentId: string, clientSecret: string }>} */
  setupIntent: async () =>
    /** @type {{ data: { setupIntentId: string, clientSecret: string } }} */ (
      await answer('POST', '/api/payment-methods/setup-intent')
    ).data,
  /** @param {string} setupIntentId @returns {Promise<SavedCard>} */
  saveCard: async (setupIntentId) =>
    /** @type {{ data: SavedCard }} */ (await answer('POST', '/api/payment-methods', { body: { setupIntentId } })).data,
  /** @param {string} id */
  removeCard: (id) => answer('DELETE', `/api/payment-methods/${encodeURIComponent(id)}`),
};
