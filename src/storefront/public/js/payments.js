// @ts-check
/**
 * How the page gets a payment method and finishes a payment that needs the buyer, per payment mode. The
 * order page does the same for every mode:
 *
 *   method = await panel.paymentMethod()        a pm_... id: nothing of a card ever reaches our server
 *   answer = POST /api/orders/:id/pay { paymentMethod: method }
 *   if answer.paymentStatus is requires_action: await panel.authenticate(answer.nextAction)   (3-D Secure)
 *   then follow the order until the webhook settles it (follow.js)
 *
 * Simulated payments and Stripe test mode: a picker of Stripe's test payment methods (`pm_card_visa`, ...),
 * which the API confirms from the server. Stripe mode with a live key needs Stripe.js: a card element saved
 * with a SetupIntent (`confirmCardSetup` gives the pm_ id) and `confirmCardPayment(clientSecret)` for the
 * action; the same calls run on real Stripe.js and on localstripe's stand-in, loaded from STRIPE_JS_URL.
 */
import { h } from './dom.js';

/** @typedef {{ paymentMode: 'simulated' | 'test' | 'live' }} ShopSettings */
/**
 * @typedef {object} PaymentPanel
 * @property {HTMLElement} element what the buyer chooses or types the card in
 * @property {() => Promise<string>} paymentMethod the pm_... id to pay with
 * @property {(action: { type: string, clientSecret: string }) => Promise<void>} authenticate finishes a `requires_action` answer
 */

/** Stripe's test payment methods, as the simulated gateway and Stripe test mode play them. */
export const TEST_CARDS = [
  { id: 'pm_card_visa', label: 'Visa: payment succeeds' },
  { id: 'pm_card_mastercard', label: 'Mastercard: payment succeeds' },
  { id: 'pm_card_chargeCustomerFail', label: 'Declined by the bank (generic decline)' },
  { id: 'pm_card_chargeDeclinedInsufficientFunds', label: 'Declined: insufficient funds' },
  { id: 'pm_card_chargeDeclinedExpiredCard', label: 'Declined: expired card' },
];

/**
 * @param {ShopSettings} settings
 * @param {string} name a name for this panel's controls, unique in the page
 * @returns {PaymentPanel}
 */
export function paymentPanel(settings, name) {
  return settings.paymentMode === 'live' ? cardEntryUnavailable() : testCardPicker(settings, name);
}

/**
 * @param {ShopSettings} settings
 * @param {string} name
 * @returns {PaymentPanel}
 */
function testCardPicker(settings, name) {
  const legend =
    settings.paymentMode === 'simulated'
      ? 'Test card (simulated payments: no real money moves)'
      : 'Test card (Stripe test mode: no real money moves)';
  const radios = TEST_CARDS.map((card, index) => h('input', { type: 'radio', name, value: card.id, id: `${name}-${card.id}`, checked: index === 0 }));
  const element = h(
    'fieldset',
    { class: 'test-cards' },
    h('legend', {}, legend),
    ...TEST_CARDS.map((card, index) =>
      h('p', { class: 'choice' }, radios[index], h('label', { for: `${name}-${card.id}` }, card.label, ' ', h('code', {}, card.id))),
    ),
  );
  return {
    element,
    paymentMethod: () => Promise.resolve(radios.find((radio) => radio.checked)?.value ?? 'pm_card_visa'),
    authenticate: () => Promise.reject(new Error('This card asks for authentication, which these test cards do not offer yet: choose another card.')),
  };
}

/** @returns {PaymentPanel} */
function cardEntryUnavailable() {
  const message = 'Card payments in live mode need Stripe Elements, which this shop does not offer yet.';
  return {
    element: h('p', { class: 'notice' }, message),
    paymentMethod: () => Promise.reject(new Error(message)),
    authenticate: () => Promise.reject(new Error(message)),
  };
}
