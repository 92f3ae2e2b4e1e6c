// @ts-check
/**
 * Paying with Stripe.js: the same calls run on real Stripe.js and on localstripe's stand-in, so the tested path is
 * the production path. A new card typed in Stripe Elements' card field is saved on the buyer's account with a
 * SetupIntent (confirmCardSetup: the number goes to Stripe, never to us), then paid from the server like a saved
 * card; a payment that needs 3-D Secure is finished with confirmCardPayment(clientSecret), which on a PaymentIntent
 * awaiting an action runs that action. Saved cards pay in one click and can be removed here.
 */
import { shop } from './api.js';
import { alertRegion, announce, h } from './dom.js';

/** @typedef {import('./payments.js').PaymentPanel} PaymentPanel */
/** @typedef {import('./api.js').SavedCard} SavedCard */
/**
 * The part of Stripe.js this page uses.
 * @typedef {{ mount: (container: HTMLElement) => void, on: (event: 'change', handler: (event?: { error?: { message?: string } }) => void) => void }} CardField
 * @typedef {{ message?: string, code?: string }} StripeError
 * @typedef {{ status?: string, last_payment_error?: { message?: string } | null }} IntentResult
 * @typedef {object} StripeJs
 * @property {() => { create: (type: 'card') => CardField }} elements
 * @property {(clientSecret: string, data: { payment_method: { card: CardField } }) => Promise<{ error?: StripeError | null, setupIntent?: IntentResult }>} confirmCardSetup
 * @property {(clientSecret: string) => Promise<{ error?: StripeError | null, paymentIntent?: IntentResult }>} confirmCardPayment
 */

/** @type {Map<string, Promise<(publishableKey: string) => StripeJs>>} */
const loaded = new Map();

/**
 * Stripe.js from `url` (it must be loaded from Stripe, never bundled), once per page.
 * @param {string} url
 */
function loadStripeJs(url) {
  let loading = loaded.get(url);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = h('script', { src: url });
      script.addEventListener('load', () => {
        const factory = /** @type {{ Stripe?: (key: string) => StripeJs }} */ (/** @type {unknown} */ (window)).Stripe;
        if (typeof factory === 'function') resolve(factory);
        else reject(new Error('Stripe.js loaded but did not start.'));
      });
      script.addEventListener('error', () => {
        loaded.delete(url);
        reject(new Error('Stripe.js could not be loaded: check your connection and reload the page.'));
      });
      document.head.append(script);
    });
    loaded.set(url, loading);
  }
  return loading;
}

/** @param {StripeError | null | undefined} error @param {string} fallback */
const failure = (error, fallback) => new Error(error?.message || fallback);

/**
 * @param {{ publishableKey: string, stripeJsUrl: string }} config
 * @param {string} name
 * @returns {Promise<PaymentPanel>}
 */
export async function stripePanel(config, name) {
  const [Stripe, saved] = await Promise.all([loadStripeJs(config.stripeJsUrl), shop.savedCards()]);
  const stripe = Stripe(config.publishableKey);
  const card = stripe.elements().create('card');
  const cardError = h('p', { class: 'field-error', id: `${name}-card-error` });
  const cardField = h('div', {
    class: 'card-field',
    id: `${name}-card`,
    role: 'group',
    'aria-label': 'New card details',
    'aria-describedby': cardError.id,
  });
  // Real Stripe.js reports what is wrong as the buyer types; the stand-in calls the handler with no event.
  card.on('change', (event) => (cardError.textContent = event?.error?.message ?? ''));
  const newCard = h('input', { type: 'radio', name, value: 'new', id: `${name}-new`, checked: saved.length === 0 });
  const savedList = h('div', { class: 'saved-cards' });
  const alert = alertRegion();

  /** @param {SavedCard} entry @param {boolean} checked */
  function addSaved(entry, checked) {
    const id = `${name}-${entry.id}`;
    const radio = h('input', { type: 'radio', name, value: entry.id, id, checked });
    const label = `${entry.brand.toUpperCase()} ending ${entry.last4}, expires ${String(entry.expMonth).padStart(2, '0')}/${entry.expYear}`;
    const row = h(
      'p',
      { class: 'choice' },
      radio,
      h('label', { for: id }, label),
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          'aria-label': `Remove ${label}`,
          onclick: () => void remove(entry, row, label),
        },
        'Remove',
      ),
    );
    savedList.append(row);
    if (checked) radio.checked = true;
  }
  /** @param {SavedCard} entry @param {HTMLElement} row @param {string} label */
  async function remove(entry, row, label) {
    alert.clear();
    try {
      await shop.removeCard(entry.id);
      row.remove();
      if (!savedList.querySelector('input:checked')) newCard.checked = true;
      announce(`Removed ${label}.`);
    } catch (error) {
      alert.show(error);
    }
  }
  saved.forEach((entry, index) => addSaved(entry, index === 0));

  const element = h(
    'fieldset',
    { class: 'stripe-cards' },
    h('legend', {}, saved.length > 0 ? 'Pay with a saved card or a new one' : 'Card'),
    savedList,
    h('p', { class: 'choice' }, newCard, h('label', { for: newCard.id }, 'A new card')),
    cardField,
    cardError,
    h(
      'p',
      { class: 'hint' },
      'A new card is kept on your account for your next order; you can remove it here at any time.',
    ),
    alert,
  );

  return {
    element,
    shown: () => card.mount(cardField),
    async paymentMethod() {
      const chosen = /** @type {HTMLInputElement | null} */ (element.querySelector(`input[name="${name}"]:checked`));
      if (chosen && chosen.value !== 'new') return chosen.value;
      const setup = await shop.setupIntent();
      const result = await stripe.confirmCardSetup(setup.clientSecret, { payment_method: { card } });
      if (result.error) throw failure(result.error, 'The card could not be saved.');
      const kept = await shop.saveCard(setup.setupIntentId);
      // Kept now: a second attempt (after a decline or a failed authentication) pays with it without saving it again.
      addSaved(kept, true);
      return kept.id;
    },
    async authenticate(action) {
      const result = await stripe.confirmCardPayment(action.clientSecret);
      if (result.error) throw failure(result.error, 'Your bank did not confirm the payment.');
      const status = result.paymentIntent?.status;
      if (status === 'succeeded' || status === 'processing' || status === 'requires_capture') return;
      // The stand-in answers a failed authentication with the intent awaiting another card, not an error.
      throw failure(
        result.paymentIntent?.last_payment_error,
        'Your bank did not confirm the payment: pay again, with this card or another.',
      );
    },
  };
}
