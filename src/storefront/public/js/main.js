// @ts-check
/**
 * The storefront's start: its settings (from the page's <meta name="shop-config">, written by the server),
 * the header, and the hash routes (#/, #/cart, #/checkout, #/signin, #/signup, #/orders, #/orders/<id>, and the
 * account mails' #/forgot-password, #/reset-password?token=, #/verify-email?token=).
 * Each navigation aborts the previous view's work (its polling included), renders the new view into <main>
 * and moves the focus to its heading, so keyboard and screen-reader users land on what changed.
 */
import { configureApi, shop } from './api.js';
import { announce, byId, h } from './dom.js';
import { session, cart, onStoreChange } from './store.js';
import { catalogueView } from './views/catalogue.js';
import { cartView } from './views/cart.js';
import { checkoutView } from './views/checkout.js';
import { forgotPasswordView, resetPasswordView, signInView, signUpView, verifyEmailView } from './views/account.js';
import { orderView, ordersView } from './views/orders.js';

/** @typedef {import('./payments.js').ShopSettings} ShopSettings */
/**
 * What a view gets: where to render, the route's parameters and query, and a signal aborted when the
 * buyer navigates away.
 * @typedef {object} ViewContext
 * @property {string[]} params
 * @property {URLSearchParams} query
 * @property {AbortSignal} signal
 * @property {ShopSettings} settings
 * @property {(title: string, ...content: Array<Node | null>) => HTMLHeadingElement} show replaces <main> with an h1 and the content
 * @property {() => void} focusHeading
 * @property {(hash: string, options?: { replace?: boolean }) => void} navigate
 * @property {() => string | undefined} next the route to go on to after signing in (`?next=`)
 * @property {() => string} nextQuery `?next=` for links to sign in/up that come back here
 * @property {() => boolean} requireSignIn false (and on to sign in, coming back here after) when signed out
 */

/** @type {Array<[RegExp, (view: ViewContext) => unknown]>} */
const ROUTES = [
  [/^\/$/, catalogueView],
  [/^\/cart$/, cartView],
  [/^\/checkout$/, checkoutView],
  [/^\/signin$/, signInView],
  [/^\/signup$/, signUpView],
  [/^\/forgot-password$/, forgotPasswordView],
  [/^\/reset-password$/, resetPasswordView],
  [/^\/verify-email$/, verifyEmailView],
  [/^\/orders$/, ordersView],
  [/^\/orders\/([0-9a-f]{24})$/, orderView],
];

/** @returns {ShopSettings} */
function readSettings() {
  const meta = document.querySelector('meta[name="shop-config"]');
  /** @type {unknown} */
  const raw = JSON.parse(meta?.getAttribute('content') ?? '{}');
  const parsed = /** @type {Partial<ShopSettings>} */ (raw);
  return { paymentMode: parsed.paymentMode ?? 'simulated' };
}

const settings = readSettings();
const main = byId('main');
/** @type {AbortController | undefined} */
let current;

/** `#/orders?x=1` → path `/orders`, query `x=1`; no hash is the catalogue. */
function parseHash() {
  const hash = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
  const [path = '/', query = ''] = hash.split('?', 2);
  return { path, query: new URLSearchParams(query) };
}

/** A `next` that is one of our routes (a path starting with one slash), or nothing. @param {string | null} next */
const safeNext = (next) => (next && /^\/[\w/-]*$/.test(next) ? `#${next}` : undefined);

/** @param {boolean} moveFocus */
async function render(moveFocus) {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const { path, query } = parseHash();
  const route = ROUTES.map(([pattern, view]) => /** @type {const} */ ([pattern.exec(path), view])).find(
    ([match]) => match,
  );
  /** @type {ViewContext} */
  const view = {
    params: route?.[0]?.slice(1) ?? [],
    query,
    signal: controller.signal,
    settings,
    show(title, ...content) {
      const heading = h('h1', { tabindex: -1 }, title);
      document.title = `${title} · Shop`;
      if (!controller.signal.aborted) main.replaceChildren(heading, ...content.filter((node) => node !== null));
      return heading;
    },
    focusHeading: () => main.querySelector('h1')?.focus(),
    navigate(hash, options = {}) {
      if (options.replace) location.replace(hash);
      else location.hash = hash;
    },
    next: () => safeNext(query.get('next')),
    nextQuery() {
      const next = query.get('next');
      return next ? `?next=${encodeURIComponent(next)}` : '';
    },
    requireSignIn() {
      if (session.token()) return true;
      view.navigate(`#/signin?next=${encodeURIComponent(path)}`, { replace: true });
      return false;
    },
  };
  try {
    if (!route) view.show('Page not found', h('p', {}, h('a', { href: '#/' }, 'Back to the catalogue')));
    else await route[1](view);
  } catch (error) {
    view.show(
      'Something went wrong',
      h('p', { role: 'alert' }, error instanceof Error ? error.message : String(error)),
    );
  }
  // Unless the view already put the focus on one of its controls, its heading takes it.
  const focused = document.activeElement;
  if (moveFocus && !controller.signal.aborted && (focused === main || !main.contains(focused))) view.focusHeading();
}

function renderHeader() {
  const count = cart.count();
  byId('nav-cart').textContent = count > 0 ? `Cart (${count})` : 'Cart';
  const profile = session.profile();
  const account = byId('nav-account');
  if (!profile) {
    account.replaceChildren(h('a', { href: '#/signin' }, 'Sign in'));
    return;
  }
  // The page forgets the token at once; the server ends its session, so a copy of it stops working too.
  const signOut = () => {
    const token = session.token();
    session.end();
    if (token) void shop.logout(token).catch(() => undefined);
    announce('Signed out.');
    if (location.hash === '' || location.hash === '#/') void render(true);
    else location.hash = '#/';
  };
  account.replaceChildren(
    h('span', { class: 'who' }, profile.name, ' '),
    h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'),
  );
}

configureApi({
  token: session.token,
  unauthorized: () => {
    session.end();
    const { path } = parseHash();
    location.replace(`#/signin?next=${encodeURIComponent(path)}`);
    announce('Your session has ended: sign in again.');
  },
});

if (settings.paymentMode !== 'live') {
  const banner = byId('mode-banner');
  banner.textContent =
    settings.paymentMode === 'simulated'
      ? 'Demo shop with simulated payments: nothing is charged. Pay with the test cards offered for each order.'
      : "Stripe test mode: nothing is charged. Pay with Stripe's test cards (such as 4242 4242 4242 4242, any future date and CVC).";
  banner.hidden = false;
}
onStoreChange(renderHeader);
renderHeader();
// Only our routes (#/...) navigate: the skip link's #main just moves the focus, as a link to an anchor does.
window.addEventListener('hashchange', () => {
  if (location.hash === '' || location.hash.startsWith('#/')) void render(true);
});
void render(false);
