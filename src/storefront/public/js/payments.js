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
 * Simulated payments: a picker of Stripe's test payment methods, 3-D Secure ones included, whose challenge this
 * page plays in a dialog answered through the simulated gateway. Stripe with a publishable key (GET /api/config):
 * Stripe Elements' card field, the card saved with a SetupIntent and paid from the server, the action finished by
 * Stripe.js (stripe-panel.js). Stripe test mode without a publishable key: the test payment methods, paid from the server.
 */
import { shop } from './api.js';
import { h } from './dom.js';
import { stripePanel } from './stripe-panel.js';

/** @typedef {{ paymentMode: 'simulated' | 'test' | 'live' }} ShopSettings */
/** @typedef {import('./api.js').NextAction} NextAction */
/**
 * @typedef {object} PaymentPanel
 * @property {HTMLElement} element what the buyer chooses or types the card in
 * @property {() => void} [shown] to call once the element is in the page (a card field is mounted then)
 * @property {() => Promise<string>} paymentMethod the pm_... id to pay with
 * @property {(action: NextAction) => Promise<void>} authenticate finishes a `requires_action` answer; throws, with the reason, when it is not done
 */

/** Stripe's test payment methods, as the simulated gateway and Stripe test mode play them. */
export const TEST_CARDS = [
  { id: 'pm_card_visa', label: 'Visa: payment succeeds' },
  { id: 'pm_card_mastercard', label: 'Mastercard: payment succeeds' },
  { id: 'pm_card_chargeCustomerFail', label: 'Declined by the bank (generic decline)' },
  { id: 'pm_card_chargeDeclinedInsufficientFunds', label: 'Declined: insufficient funds' },
  { id: 'pm_card_chargeDeclinedExpiredCard', label: 'Declined: expired card' },
];
/** The 3-D Secure ones: only where this page can answer the challenge itself (simulated payments). */
export const AUTHENTICATION_CARDS = [
  { id: 'pm_card_authenticationRequired', label: '3-D Secure: your bank asks you to confirm' },
  { id: 'pm_card_threeDSecure2Required', label: '3-D Secure 2: your bank asks you to confirm' },
];

/**
 * The panel for this shop's payment mode. Outside simulated mode it asks the API how to take a card (GET /api/config),
 * as a separate front end would.
 * @param {ShopSettings} settings
 * @param {string} name a name for this panel's controls, unique in the page
 * @param {string} orderId
 * @returns {Promise<PaymentPanel>}
 */
export async function paymentPanel(settings, name, orderId) {
  if (settings.paymentMode === 'simulated')
    return testCardPicker('Test card (simulated payments: no real money moves)', name, orderId, true);
  const config = await shop.paymentConfig();
  if (config.publishableKey && config.stripeJsUrl)
    return stripePanel({ publishableKey: config.publishableKey, stripeJsUrl: config.stripeJsUrl }, name);
  if (config.testPaymentMethods)
    return testCardPicker('Test card (Stripe test mode: no real money moves)', name, orderId, false);
  return cardEntryUnavailable();
}

/**
 * @param {string} legend
 * @param {string} name
 * @param {string} orderId
 * @param {boolean} simulated
 * @returns {PaymentPanel}
 */
function testCardPicker(legend, name, orderId, simulated) {
  const cards = simulated ? [...TEST_CARDS, ...AUTHENTICATION_CARDS] : TEST_CARDS;
  const radios = cards.map((card, index) =>
    h('input', { type: 'radio', name, value: card.id, id: `${name}-${card.id}`, checked: index === 0 }),
  );
  const element = h(
    'fieldset',
    { class: 'test-cards' },
    h('legend', {}, legend),
    ...cards.map((card, index) =>
      h(
        'p',
        { class: 'choice' },
        radios[index],
        h('label', { for: `${name}-${card.id}` }, card.label, ' ', h('code', {}, card.id)),
      ),
    ),
  );
  return {
    element,
    paymentMethod: () => Promise.resolve(radios.find((radio) => radio.checked)?.value ?? 'pm_card_visa'),
    async authenticate(action) {
      if (action.type !== 'simulated_authentication')
        throw new Error('This card asks for authentication, which needs Stripe.js: choose another card.');
      const outcome = await askTheBank();
      await shop.authenticate(orderId, outcome);
      if (outcome === 'fail')
        throw new Error(
          'The payment was not confirmed with your bank (authentication failed). Pay again, with this card or another.',
        );
    },
  };
}

/**
 * The simulated bank's challenge, in a modal dialog as Stripe's 3-D Secure frame would be: complete or fail it
 * (Escape fails it).
 * @returns {Promise<'complete' | 'fail'>}
 */
function askTheBank() {
  return new Promise((resolve) => {
    /** @param {'complete' | 'fail'} outcome */
    const answer = (outcome) => {
      if (!dialog.open) return;
      dialog.close();
      dialog.remove();
      resolve(outcome);
    };
    const dialog = h(
      'dialog',
      { class: 'challenge', 'aria-labelledby': 'challenge-title', 'aria-describedby': 'challenge-text' },
      h('h2', { id: 'challenge-title' }, 'Confirm this payment'),
      h(
        'p',
        { id: 'challenge-text' },
        'Simulated 3-D Secure: your bank asks you to confirm this payment. Nothing is charged.',
      ),
      h(
        'p',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => answer('complete') }, 'Complete authentication'),
        ' ',
        h('button', { type: 'button', class: 'secondary', onclick: () => answer('fail') }, 'Fail authentication'),
      ),
    );
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      answer('fail');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** @returns {PaymentPanel} */
function cardEntryUnavailable() {
  const message = 'Card payments are not available: the shop has no Stripe publishable key (STRIPE_PUBLISHABLE_KEY).';
  return {
    element: h('p', { class: 'notice' }, message),
    paymentMethod: () => Promise.reject(new Error(message)),
    authenticate: () => Promise.reject(new Error(message)),
  };
}
