// @ts-check
/** The cart (kept in localStorage by store.js): quantities, removal, the total, and the way to checkout. */
import { announce, h, money, total } from '../dom.js';
import { cart, MAX_QUANTITY } from '../store.js';

/** @param {import('../main.js').ViewContext} view */
export function cartView(view) {
  const lines = cart.lines();
  const currency = cart.currency();
  if (lines.length === 0 || !currency) {
    view.show(
      'Your cart',
      h('p', {}, 'Your cart is empty.'),
      h('p', {}, h('a', { href: '#/' }, 'Browse the catalogue')),
    );
    return;
  }
  const totalText = h('strong', {}, money(total(lines, currency), currency));
  const refreshTotal = () => (totalText.textContent = money(total(cart.lines(), currency), currency));
  const rows = lines.map((line) => {
    const id = `cart-quantity-${line.productId}`;
    const lineTotal = h('td', { class: 'number' }, money(total([line], currency), currency));
    const quantity = h('input', {
      type: 'number',
      id,
      min: 1,
      max: MAX_QUANTITY,
      value: line.quantity,
      required: true,
      inputmode: 'numeric',
    });
    quantity.addEventListener('change', () => {
      const units = Math.floor(Number(quantity.value));
      if (!(units >= 1 && units <= MAX_QUANTITY)) {
        quantity.value = String(line.quantity);
        return announce(`Choose between 1 and ${MAX_QUANTITY} units.`);
      }
      cart.setQuantity(line.productId, units);
      line.quantity = units;
      lineTotal.textContent = money(total([line], currency), currency);
      refreshTotal();
    });
    const remove = () => {
      cart.remove(line.productId);
      announce(`Removed ${line.name} from your cart.`);
      cartView(view);
      view.focusHeading();
    };
    return h(
      'tr',
      {},
      h('th', { scope: 'row' }, line.name),
      h('td', { class: 'number' }, money(line.price, currency)),
      h('td', {}, h('label', { for: id, class: 'visually-hidden' }, `Quantity of ${line.name}`), quantity),
      lineTotal,
      h(
        'td',
        {},
        h(
          'button',
          { type: 'button', class: 'link', onclick: remove },
          'Remove',
          h('span', { class: 'visually-hidden' }, ` ${line.name}`),
        ),
      ),
    );
  });
  view.show(
    'Your cart',
    h(
      'table',
      { class: 'lines' },
      h('caption', { class: 'visually-hidden' }, 'Products in your cart'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Product', 'Price', 'Quantity', 'Total'].map((name) => h('th', { scope: 'col' }, name)),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
    h('p', { class: 'total' }, 'Total: ', totalText),
    h('p', {}, h('a', { class: 'button', href: '#/checkout' }, 'Checkout')),
  );
}
