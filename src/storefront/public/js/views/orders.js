// @ts-check
/**
 * My orders (the API's keyset pages of the buyer's own orders) and one order: its status, lines, refunds
 * and history; paying it (also again after a decline, with another card) and canceling it while it is open.
 */
import { ApiError, shop } from '../api.js';
import { placedOrderId } from '../checkout.js';
import { alertRegion, announce, append, dateTime, h, money } from '../dom.js';
import { followOrder } from '../follow.js';
import { paymentPanel } from '../payments.js';
import { checkoutAttempts } from '../store.js';

/** @typedef {import('../api.js').Order} Order */
/** @typedef {import('../api.js').OrderStatus} OrderStatus */

/** @type {Record<OrderStatus, string>} */
const STATUS_TEXT = {
  pending: 'Awaiting payment',
  failed: 'Payment failed: you can pay again',
  paid: 'Paid',
  canceled: 'Canceled',
  refunded: 'Refunded',
  authorized: 'Payment authorized: charged when shipped',
  fulfilled: 'Shipped',
};

/** @param {Order} order */
const isOpen = (order) => order.status === 'pending' || order.status === 'failed';
/** @param {string} id */
const shortId = (id) => id.slice(-8);

/** @param {import('../main.js').ViewContext} view */
export async function ordersView(view) {
  if (!view.requireSignIn()) return;
  const list = h('ul', { class: 'orders' });
  const alert = alertRegion();
  /** @type {string | null} */
  let cursor = null;
  const more = h(
    'button',
    { type: 'button', class: 'secondary', hidden: true, onclick: () => void loadPage(true) },
    'More orders',
  );
  view.show('My orders', alert, list, more);

  /** @param {boolean} focusFirst */
  async function loadPage(focusFirst) {
    more.disabled = true;
    try {
      const page = await shop.orders(cursor ? { cursor } : {});
      const items = page.data.map((order) =>
        h(
          'li',
          { class: `order status-${order.status}` },
          h('a', { href: `#/orders/${order.id}` }, `Order ${shortId(order.id)}`),
          h('span', {}, ` · ${dateTime(order.createdAt)} · `),
          h('span', { class: 'status' }, STATUS_TEXT[order.status]),
          h('span', {}, ' · ', money(order.amount, order.currency)),
        ),
      );
      list.append(...items);
      if (list.childElementCount === 0) list.append(h('li', {}, 'No orders yet.'));
      cursor = page.pagination.nextCursor;
      more.hidden = cursor === null;
      if (focusFirst) items[0]?.querySelector('a')?.focus();
    } catch (error) {
      alert.show(error);
    } finally {
      more.disabled = false;
    }
  }
  await loadPage(false);
}

/** @param {import('../main.js').ViewContext} view */
export async function orderView(view) {
  if (!view.requireSignIn()) return;
  const id = view.params[0] ?? '';
  // The checkout that placed this order is over once its page is shown.
  if (placedOrderId() === id) checkoutAttempts.finish();
  const alert = alertRegion();
  const status = h('p', { class: 'order-status', id: 'order-status', tabindex: -1 });
  const details = h('div', { class: 'order-details' });
  const paySection = h('section', { 'aria-labelledby': 'pay-heading', class: 'pay', hidden: true });
  view.show(`Order ${shortId(id)}`, status, alert, paySection, details);
  /** @type {Order} */
  let order;
  try {
    order = await shop.order(id, view.signal);
  } catch (error) {
    if (!view.signal.aborted) alert.show(error);
    return;
  }

  /** @param {Order} latest */
  function showStatus(latest) {
    status.replaceChildren('Status: ', h('strong', { 'data-status': latest.status }, STATUS_TEXT[latest.status]));
    if (isOpen(latest)) status.append(h('span', {}, ` (pay by ${dateTime(latest.expiresAt)})`));
    renderDetails(details, latest);
  }
  showStatus(order);

  const payAlert = alertRegion();
  const progress = h('p', { class: 'progress' });
  const payButton = h('button', { type: 'submit', disabled: true }, `Pay ${money(order.amount, order.currency)}`);
  const cancelButton = h(
    'button',
    { type: 'button', class: 'secondary', onclick: () => void cancel() },
    'Cancel order',
  );
  const resumeButton = h('button', { type: 'button', hidden: true }, 'Confirm the payment with your bank');
  const panelSlot = h('div', {}, h('p', { class: 'progress' }, 'Loading the ways to pay…'));
  paySection.append(
    h('h2', { id: 'pay-heading' }, 'Pay for this order'),
    h(
      'form',
      {
        onsubmit: (event) => {
          event.preventDefault();
          void pay();
        },
      },
      panelSlot,
      payAlert,
      h('p', { class: 'actions' }, resumeButton, ' ', payButton, ' ', cancelButton),
    ),
    progress,
  );
  const showPaySection = () => {
    paySection.hidden = !isOpen(order);
    if (order.status === 'failed' && order.lastPaymentError?.message && !payAlert.hasChildNodes()) {
      payAlert.show(new Error(`The last payment was declined: ${order.lastPaymentError.message}`));
    }
  };
  showPaySection();

  /** @type {import('../payments.js').PaymentPanel | undefined} */
  let panel;
  /** Aborts the quiet reading of the order after a failed authentication, once the buyer pays again. */
  let quiet = new AbortController();

  /** @param {boolean} busy */
  const setBusy = (busy) => {
    payButton.disabled = busy || !panel;
    cancelButton.disabled = busy;
    resumeButton.disabled = busy;
  };

  /**
   * Follows the order until `settled` says so, showing each read; then shows what it came to.
   * @param {(latest: Order) => boolean} settled
   * @param {number} giveUpMs
   * @param {AbortSignal} [signal]
   */
  async function follow(settled, giveUpMs, signal = view.signal) {
    const latest = await followOrder(id, { settled, onRead: showStatus, signal, giveUpMs });
    if (latest) order = latest;
    return latest !== undefined && settled(latest);
  }

  /**
   * Runs the bank's challenge (3-D Secure). When it is not done the reason is shown and the form is usable again at
   * once (the order can still be paid); the order is then read quietly for the event a failure may bring.
   * @param {import('../api.js').NextAction} action
   * @param {number} historyBefore
   * @returns {Promise<boolean>} whether the bank confirmed the payment
   */
  async function authenticate(action, historyBefore) {
    if (!panel) return false;
    progress.textContent = 'Your bank asks you to confirm this payment…';
    announce('Your bank asks you to confirm this payment.');
    try {
      await panel.authenticate(action);
      resumeButton.hidden = true;
      return true;
    } catch (error) {
      progress.textContent = '';
      resumeButton.hidden = true;
      payAlert.show(error);
      setBusy(false);
      quiet = new AbortController();
      const signal = AbortSignal.any([view.signal, quiet.signal]);
      void follow(
        (latest) => latest.status !== 'pending' || latest.history.length > historyBefore,
        10_000,
        signal,
      ).then(() => showPaySection());
      return false;
    }
  }

  async function pay() {
    if (!panel) return;
    quiet.abort();
    setBusy(true);
    payAlert.clear();
    const historyBefore = order.history.length;
    try {
      progress.textContent = 'Submitting your payment…';
      const method = await panel.paymentMethod();
      const answer = await shop.pay(id, method);
      if (answer.paymentStatus === 'requires_action' && answer.nextAction) {
        // Not confirmed by the bank: the reason is shown and the form is usable again (authenticate says how).
        if (!(await authenticate(answer.nextAction, historyBefore))) return;
      }
      progress.textContent = 'Payment submitted: waiting for the confirmation…';
      announce('Payment submitted: waiting for the confirmation.');
      // A success moves the order to paid; anything else to whatever the next event says.
      const expectPaid = answer.paymentStatus === 'succeeded' || answer.paymentStatus === 'requires_action';
      const done = await follow(
        (latest) =>
          expectPaid
            ? !isOpen(latest)
            : !isOpen(latest) || (latest.status === 'failed' && latest.history.length > historyBefore),
        120_000,
      );
      if (view.signal.aborted) return;
      progress.textContent = done
        ? ''
        : 'The confirmation is taking longer than usual: this page shows it when you reload it.';
      if (order.status === 'paid') announce('Payment received: your order is paid. Thank you!');
      if (order.status === 'authorized')
        announce('Payment authorized: you are charged when the order ships. Thank you!');
      if (order.status === 'failed')
        payAlert.show(new Error(`The payment failed: ${order.lastPaymentError?.message ?? 'declined'}`));
      showPaySection();
    } catch (error) {
      progress.textContent = '';
      payAlert.show(error);
      // A decline is final for that card only: once its event has made the order `failed`, another card can be tried.
      if (error instanceof ApiError && error.status === 402) {
        progress.textContent = 'Recording the declined payment…';
        await follow((latest) => latest.status !== 'pending', 15_000);
        progress.textContent = '';
        showPaySection();
      }
    } finally {
      setBusy(false);
    }
  }

  /** A payment left in the middle (a reload during 3-D Secure, a failed authentication nobody was told about). @param {import('../api.js').OrderPayment} payment */
  function resume(payment) {
    if (payment.paymentStatus === 'requires_action' && payment.nextAction) {
      const action = payment.nextAction;
      progress.textContent = 'Your bank is waiting for you to confirm this payment.';
      resumeButton.hidden = false;
      resumeButton.onclick = async () => {
        setBusy(true);
        payAlert.clear();
        const historyBefore = order.history.length;
        try {
          if (await authenticate(action, historyBefore)) {
            progress.textContent = 'Payment submitted: waiting for the confirmation…';
            const done = await follow((latest) => !isOpen(latest), 120_000);
            progress.textContent = done
              ? ''
              : 'The confirmation is taking longer than usual: this page shows it when you reload it.';
            showPaySection();
          }
        } catch (error) {
          payAlert.show(error);
        } finally {
          setBusy(false);
        }
      };
    } else if (order.status === 'pending' && payment.lastPaymentError?.message) {
      payAlert.show(new Error(`The last payment attempt failed: ${payment.lastPaymentError.message}`));
    }
  }

  /** The ways to pay (Stripe.js is loaded in Stripe mode) and the payment as it stands, after the order is on screen. */
  async function loadPanel() {
    try {
      const [loadedPanel, payment] = await Promise.all([
        paymentPanel(view.settings, `card-${id}`, id),
        shop.payment(id, view.signal).catch(() => undefined),
      ]);
      if (view.signal.aborted) return;
      panel = loadedPanel;
      panelSlot.replaceChildren(panel.element);
      panel.shown?.();
      if (payment) resume(payment);
    } catch (error) {
      if (view.signal.aborted) return;
      panelSlot.replaceChildren();
      payAlert.show(error);
    }
    setBusy(false);
  }
  if (isOpen(order)) void loadPanel();

  async function cancel() {
    setBusy(true);
    payAlert.clear();
    try {
      order = await shop.cancel(id);
      showStatus(order);
      showPaySection();
      announce('Order canceled.');
      status.focus();
    } catch (error) {
      payAlert.show(error);
    } finally {
      setBusy(false);
    }
  }
}

/**
 * The order's lines, totals, refunds and history: every text in them (product names) is set as text.
 * @param {HTMLElement} container
 * @param {Order} order
 */
function renderDetails(container, order) {
  const price = (/** @type {number} */ amount) => money(amount, order.currency);
  container.replaceChildren();
  append(container, [
    h('h2', {}, 'Items'),
    h(
      'table',
      { class: 'lines' },
      h(
        'thead',
        {},
        h('tr', {}, ...['Product', 'Price', 'Quantity', 'Total'].map((name) => h('th', { scope: 'col' }, name))),
      ),
      h(
        'tbody',
        {},
        ...order.items.map((line) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, line.name),
            h('td', { class: 'number' }, price(line.unitPrice)),
            h('td', { class: 'number' }, line.quantity),
            h('td', { class: 'number' }, price(line.lineTotal)),
          ),
        ),
      ),
    ),
    h('p', { class: 'total' }, 'Total: ', h('strong', {}, price(order.amount))),
    order.paidAmount !== undefined ? h('p', {}, 'Charged: ', price(order.paidAmount)) : null,
    order.paymentStatus === 'processing' ? h('p', {}, 'Your payment is on its way.') : null,
    order.paymentReview === 'disputed' ? h('p', {}, 'Your payment is under review.') : null,
    order.fulfilment
      ? h(
          'p',
          {},
          `Shipped ${dateTime(order.fulfilment.fulfilledAt)}`,
          order.fulfilment.carrier ? ` with ${order.fulfilment.carrier}` : '',
          order.fulfilment.trackingNumber ? `, tracking number ${order.fulfilment.trackingNumber}` : '',
        )
      : null,
    order.refundedAmount > 0 ? h('p', {}, 'Refunded: ', price(order.refundedAmount)) : null,
    order.refunds.length > 0
      ? [
          h('h2', {}, 'Refunds'),
          h(
            'ul',
            {},
            ...order.refunds.map((refund) =>
              h('li', {}, `${price(refund.amount)} · ${refund.status} · ${dateTime(refund.requestedAt)}`),
            ),
          ),
        ]
      : null,
    h('h2', {}, 'History'),
    h(
      'ol',
      { class: 'history' },
      ...order.history.map((entry) =>
        h(
          'li',
          {},
          h('time', { datetime: entry.at }, dateTime(entry.at)),
          ` · ${STATUS_TEXT[entry.status]} (${entry.reason.replaceAll('_', ' ')})`,
        ),
      ),
    ),
  ]);
}
