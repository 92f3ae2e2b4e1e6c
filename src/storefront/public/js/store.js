// @ts-check
/**
 * What the page keeps in the browser, and where:
 * - the session (the "Bearer <JWT>" and the profile) in sessionStorage: this tab only, kept across reloads,
 *   gone when the tab closes (the README's "Where the token is kept" says why);
 * - the cart in localStorage: no secret in it, and a buyer expects it to outlive the tab;
 * - the checkout attempt (its Idempotency-Key) in sessionStorage: a reload or a second click in this tab
 *   sends the same key, so the API answers with the same order instead of making another.
 * Storage that throws (disabled, full, a privacy mode) falls back to this page's memory.
 */

/** @typedef {import('./api.js').Product} Product */
/** @typedef {import('./api.js').Profile} Profile */
/** @typedef {{ productId: string, name: string, price: number, currency: string, quantity: number }} CartLine */
/** @typedef {{ productId: string, quantity: number }} OrderItem */
/** @typedef {{ key: string, items: OrderItem[], sent: boolean, orderId?: string }} CheckoutAttempt */

/** At most this many units of one product per order (the API's limit). */
export const MAX_QUANTITY = 1000;

const SESSION_KEY = 'shop.session';
const CART_KEY = 'shop.cart';
const CHECKOUT_KEY = 'shop.checkout';

/** @param {'localStorage' | 'sessionStorage'} kind */
function storage(kind) {
  /** @type {Map<string, string>} */
  const memory = new Map();
  return {
    /** @param {string} key @returns {unknown} */
    read(key) {
      let text;
      try {
        text = window[kind].getItem(key);
      } catch {
        text = memory.get(key) ?? null;
      }
      if (text === null) return undefined;
      try {
        return /** @type {unknown} */ (JSON.parse(text));
      } catch {
        return undefined;
      }
    },
    /** @param {string} key @param {unknown} value */
    write(key, value) {
      const text = JSON.stringify(value);
      try {
        window[kind].setItem(key, text);
      } catch {
        memory.set(key, text);
      }
    },
    /** @param {string} key */
    remove(key) {
      memory.delete(key);
      try {
        window[kind].removeItem(key);
      } catch {
        // memory only
      }
    },
  };
}

const tab = storage('sessionStorage');
const device = storage('localStorage');

/** @type {Set<() => void>} */
const listeners = new Set();
const changed = () => listeners.forEach((listener) => listener());
/** Called after any change to the session or the cart (also a cart changed in another tab). @param {() => void} listener */
export function onStoreChange(listener) {
  listeners.add(listener);
}
window.addEventListener('storage', (event) => {
  if (event.key === CART_KEY) changed();
});

export const session = {
  /** @returns {string | null} */
  token: () => /** @type {{ token?: string } | undefined} */ (tab.read(SESSION_KEY))?.token ?? null,
  /** @returns {Profile | null} */
  profile: () => /** @type {{ profile?: Profile } | undefined} */ (tab.read(SESSION_KEY))?.profile ?? null,
  /** @param {string} token @param {Profile} profile */
  start(token, profile) {
    tab.write(SESSION_KEY, { token, profile });
    changed();
  },
  /** Forgets the token and the checkout in progress; the cart stays for whoever signs in next. */
  end() {
    tab.remove(SESSION_KEY);
    tab.remove(CHECKOUT_KEY);
    changed();
  },
};

/** @returns {CartLine[]} */
function cartLines() {
  const stored = device.read(CART_KEY);
  return Array.isArray(stored) ? /** @type {CartLine[]} */ (stored) : [];
}
/** @param {CartLine[]} lines */
function saveCart(lines) {
  device.write(CART_KEY, lines);
  changed();
}

export const cart = {
  lines: cartLines,
  /** Units in the cart. */
  count: () => cartLines().reduce((sum, line) => sum + line.quantity, 0),
  /** @returns {string | undefined} the cart's currency (an order is in one currency) */
  currency: () => cartLines()[0]?.currency,
  /**
   * Adds units of a product; refused (with the reason) when the cart is in another currency.
   * @param {Product} product
   * @param {number} quantity
   * @returns {string | undefined} why it was not added
   */
  add(product, quantity) {
    const lines = cartLines();
    const currency = lines[0]?.currency;
    if (currency && currency !== product.currency) {
      return `Your cart is in ${currency} and an order is paid in one currency: check out or empty the cart before adding ${product.currency} items.`;
    }
    const line = lines.find((l) => l.productId === product.id);
    if (line) line.quantity = Math.min(MAX_QUANTITY, line.quantity + quantity);
    else
      lines.push({
        productId: product.id,
        name: product.name,
        price: product.price,
        currency: product.currency,
        quantity,
      });
    saveCart(lines);
    return undefined;
  },
  /** @param {string} productId @param {number} quantity */
  setQuantity(productId, quantity) {
    const lines = cartLines();
    const line = lines.find((l) => l.productId === productId);
    if (!line) return;
    line.quantity = Math.max(1, Math.min(MAX_QUANTITY, Math.floor(quantity)));
    saveCart(lines);
  },
  /** @param {string} productId */
  remove(productId) {
    saveCart(cartLines().filter((l) => l.productId !== productId));
  },
  /** Takes out what an order now holds: the order has those units, the cart keeps anything added since. @param {OrderItem[]} items */
  removeOrdered(items) {
    const ordered = new Set(items.map((item) => item.productId));
    saveCart(cartLines().filter((l) => !ordered.has(l.productId)));
  },
};

/** 128 random bits as hex: crypto.randomUUID needs a secure context, getRandomValues does not. */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `checkout-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** @param {OrderItem[]} a @param {OrderItem[]} b */
const sameItems = (a, b) => JSON.stringify(a) === JSON.stringify(b);

export const checkoutAttempts = {
  /** @returns {CheckoutAttempt | undefined} */
  current: () => /** @type {CheckoutAttempt | undefined} */ (tab.read(CHECKOUT_KEY)),
  /**
   * The attempt for these items: the stored one when it is for the same items (its key again), otherwise a
   * new one with a new key. Reusing a key with other items would be refused by the API (422).
   * @param {OrderItem[]} items
   * @returns {CheckoutAttempt}
   */
  forItems(items) {
    const stored = checkoutAttempts.current();
    if (stored && !stored.orderId && sameItems(stored.items, items)) return stored;
    const attempt = { key: newKey(), items, sent: false };
    tab.write(CHECKOUT_KEY, attempt);
    return attempt;
  },
  /** @param {CheckoutAttempt} attempt */
  save(attempt) {
    tab.write(CHECKOUT_KEY, attempt);
  },
  finish() {
    tab.remove(CHECKOUT_KEY);
  },
};
