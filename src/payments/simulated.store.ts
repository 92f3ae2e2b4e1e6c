import { Schema, model } from 'mongoose';

/**
 * Where the simulated gateway keeps what Stripe would keep for it: intents, charges, refunds, customers, setup
 * intents, saved cards and idempotency records, in collections of its own (simulated_*) on the app's database, so
 * a restart (npm run dev restarts on every save), a crash or a second instance on the same database knows every
 * intent and refund made. Documents keep Stripe's field names, since events carry them as they are; `_id` is the
 * Stripe id. Like the rest of the code it needs no transactions: every change is one conditional update of one document.
 * Only the simulated gateway reads these; production (STRIPE_SECRET_KEY required) never creates them.
 */
/** Any Stripe object: the gateway reads each collection as the Stripe type it holds. */
type StripeShaped = { _id: string } & Record<string, unknown>;

const stripeShaped = (collection: string) =>
  new Schema<StripeShaped>(
    { _id: { type: String, required: true } },
    { strict: false, versionKey: false, minimize: false, collection },
  );

export const SimulatedIntentModel = model('SimulatedIntent', stripeShaped('simulated_intents'));
export const SimulatedChargeModel = model('SimulatedCharge', stripeShaped('simulated_charges'));
export const SimulatedRefundModel = model('SimulatedRefund', stripeShaped('simulated_refunds'));
export const SimulatedCustomerModel = model('SimulatedCustomer', stripeShaped('simulated_customers'));
export const SimulatedSetupIntentModel = model('SimulatedSetupIntent', stripeShaped('simulated_setup_intents'));
/** Saved cards; each keeps the test payment method it was made from (`test_card`), which decides how it pays. */
export const SimulatedPaymentMethodModel = model('SimulatedPaymentMethod', stripeShaped('simulated_payment_methods'));
/** `intent:<key>`, `refund:<key>` or `customer:<key>`: the first request's fingerprint and answer, as Stripe keeps them for a key. */
export const SimulatedIdempotencyKeyModel = model(
  'SimulatedIdempotencyKey',
  stripeShaped('simulated_idempotency_keys'),
);

/**
 * Events waiting to be posted to the webhook, as Stripe keeps them until they are delivered: recorded before the
 * gateway call that caused them answers, removed once delivered (or given up), so a crash in between loses none.
 * The process that recorded it holds it (`owner`, `leaseUntil`) until a little after it is due, then for as long as
 * its attempts can take; once that lease has run out (the process died), any instance may deliver it.
 */
export interface SimulatedWebhookRow {
  _id: string;
  /** The event's type, for the logs of a delivery by another process. */
  type: string;
  /** The event as it is posted (indented JSON, as Stripe sends it): the signature covers these bytes. */
  payload: string;
  /** The sender (one per process) holding the delivery. */
  owner: string;
  /** Until then only `owner` delivers it: at first 5 s past the delivery delay, then as long as its attempts take. */
  leaseUntil: Date;
}

export const SimulatedWebhookModel = model(
  'SimulatedWebhook',
  new Schema<SimulatedWebhookRow>(
    {
      _id: { type: String, required: true },
      type: { type: String, required: true },
      payload: { type: String, required: true },
      owner: { type: String, required: true },
      leaseUntil: { type: Date, required: true },
    },
    { versionKey: false, collection: 'simulated_webhooks' },
  ),
);
