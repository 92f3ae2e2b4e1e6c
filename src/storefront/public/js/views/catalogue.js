// @ts-check
/** The catalogue: the API's keyset pages of products, "More products" following pagination.nextCursor. */
import { shop } from '../api.js';
import { alertRegion, announce, h, money } from '../dom.js';
import { cart, MAX_QUANTITY } from '../store.js';

/** @typedef {import('../api.js').Product} Product */

/** @param {import('../main.js').ViewContext} view */
export async function catalogueView(view) {
  const list = h('ul', { class: 'products' });
  const alert = alertRegion();
  /** @type {string | null} */
  let cursor = null;
  const more = h(
    'button',
    { type: 'button', class: 'secondary', hidden: true, onclick: () => void loadPage(true) },
    'More products',
  );
  view.show('Catalogue', alert, list, more);

  /** @param {boolean} focusFirst */
  async function loadPage(focusFirst) {
    more.disabled = true;
    try {
      const page = await shop.products(cursor ? { cursor } : {});
      const cards = page.data.map(productCard);
      list.append(...cards);
      cursor = page.pagination.nextCursor;
      more.hidden = cursor === null;
      if (page.data.length === 0 && list.childElementCount === 0) list.append(h('li', {}, 'Nothing is on sale yet.'));
      if (focusFirst) {
        cards[0]?.querySelector('h2')?.focus();
        announce(`${cards.length} more products`);
      }
    } catch (error) {
      alert.show(error);
    } finally {
      more.disabled = false;
    }
  }
  await loadPage(false);
}

/** @param {Product} product */
function productCard(product) {
  const quantityId = `quantity-${product.id}`;
  const headingId = `product-${product.id}`;
  const alert = alertRegion();
  const max = Math.min(product.stock, MAX_QUANTITY);
  const quantity = h('input', {
    type: 'number',
    id: quantityId,
    name: 'quantity',
    min: 1,
    max: Math.max(max, 1),
    value: 1,
    required: true,
    inputmode: 'numeric',
  });
  const soldOut = product.stock === 0;
  const form = h(
    'form',
    {
      class: 'add-to-cart',
      onsubmit: (event) => {
        event.preventDefault();
        const units = Math.floor(Number(quantity.value));
        if (!(units >= 1 && units <= max)) return alert.show(new Error(`Choose between 1 and ${max} units.`));
        const refused = cart.add(product, units);
        if (refused) return alert.show(new Error(refused));
        alert.clear();
        announce(`Added ${units} × ${product.name} to your cart.`);
      },
    },
    h('label', { for: quantityId }, 'Quantity', h('span', { class: 'visually-hidden' }, ` of ${product.name}`)),
    quantity,
    h(
      'button',
      { type: 'submit', disabled: soldOut },
      'Add ',
      h('span', { class: 'visually-hidden' }, `${product.name} `),
      'to cart',
    ),
  );
  return h(
    'li',
    {},
    h(
      'article',
      { class: 'product', 'aria-labelledby': headingId },
      h('h2', { id: headingId, tabindex: -1 }, product.name),
      h('p', { class: 'description' }, product.description),
      h('p', { class: 'price' }, money(product.price, product.currency)),
      h('p', { class: soldOut ? 'stock sold-out' : 'stock' }, soldOut ? 'Sold out' : `${product.stock} in stock`),
      soldOut ? null : form,
      alert,
    ),
  );
}
