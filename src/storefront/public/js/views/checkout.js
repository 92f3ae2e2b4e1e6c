// @ts-check
/**
 * Checkout: the cart reviewed, then one order placed for it (checkout.js keeps its Idempotency-Key), then
 * the order's own page, where it is paid. A checkout that was sent but not answered before a reload is
 * resumed at once with the same key, so it still makes one order.
 */
import { placedOrderId, placeOrder, unfinishedAttempt } from '../checkout.js';
import { alertRegion, announce, h, money, total } from '../dom.js';
import { cart, session } from '../store.js';

/** @param {import('../main.js').ViewContext} view */
export function checkoutView(view) {
  const placed = placedOrderId();
  if (placed) return view.navigate(`#/orders/${placed}`, { replace: true });
  const resumed = session.token() ? unfinishedAttempt() : undefined;
  const lines = cart.lines();
  const currency = cart.currency();
  if (!resumed && (lines.length === 0 || !currency)) {
    view.show(
      'Checkout',
      h('p', {}, 'Your cart is empty.'),
      h('p', {}, h('a', { href: '#/' }, 'Browse the catalogue')),
    );
    return;
  }
  const summary = resumed
    ? h('p', {}, 'Finishing the order you placed before this page was reloaded…')
    : h(
        'ul',
        { class: 'summary' },
        ...lines.map((line) =>
          h('li', {}, `${line.quantity} × ${line.name}: `, money(total([line], line.currency), line.currency)),
        ),
        currency
          ? h('li', { class: 'total' }, h('strong', {}, 'Total: ', money(total(lines, currency), currency)))
          : null,
      );
  if (!session.token()) {
    view.show(
      'Checkout',
      summary,
      h('p', {}, 'Sign in to place your order.'),
      h(
        'p',
        { class: 'actions' },
        h('a', { class: 'button', href: '#/signin?next=/checkout' }, 'Sign in'),
        ' ',
        h('a', { href: '#/signup?next=/checkout' }, 'Create an account'),
      ),
    );
    return;
  }

  const alert = alertRegion();
  const progress = h('p', { class: 'progress' });
  const button = h('button', { type: 'submit' }, 'Place order');
  const items = resumed ?? lines.map((line) => ({ productId: line.productId, quantity: line.quantity }));
  const form = h(
    'form',
    {
      onsubmit: (event) => {
        event.preventDefault();
        void place();
      },
    },
    h('p', {}, 'Your order is reserved for you once placed; you pay for it on the next page.'),
    button,
  );
  async function place() {
    button.disabled = true;
    alert.clear();
    progress.textContent = 'Placing your order…';
    try {
      // The attempt keeps the order's id until the order page is shown: a reload before then comes back here and
      // goes on to the order.
      const { orderId } = await placeOrder(items);
      announce('Order placed. Choose how to pay.');
      view.navigate(`#/orders/${orderId}`);
    } catch (error) {
      progress.textContent = '';
      alert.show(error);
      // REQUIRE_VERIFIED_EMAIL_TO_ORDER: the way to the verification mail.
      if (error instanceof Error && /** @type {{ code?: string }} */ (error).code === 'EMAIL_NOT_VERIFIED') {
        alert.append(h('p', {}, h('a', { href: '#/verify-email' }, 'Confirm your email address')));
      }
      button.disabled = false;
    }
  }
  view.show('Checkout', summary, alert, form, progress);
  if (resumed) void place();
}
