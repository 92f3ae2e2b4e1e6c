import { isDuplicateKeyError } from '../lib/db-errors';
import { ValidationError } from '../lib/errors';
import type { Faults } from '../lib/fault-points';
import type { Logger } from '../lib/logger';
import type { OrderMails } from '../mail/order-mails';
import { noMetrics, type ShopMetrics } from '../lib/metrics';
import { WebhookEventModel } from '../models/webhook-event.model';
import { MalformedEventError, readEvent, type ReadEvent } from '../payments/stripe.events';
import { WebhookSignatureError, type WebhookVerifier } from '../payments/webhook';
import { createPaymentOutcomes, type OutcomeResult } from './payment-outcomes.service';

export type IntakeResult = OutcomeResult | 'duplicate' | 'ignored';

/**
 * Stripe's webhook deliveries: verify the signature, read the event (payments/stripe.events: its outcome),
 * record the receipt, hand the outcome to the payment outcomes, mark it processed, count and log it.
 * Each event id is recorded under the unique _id index and marked processed only after its effect is stored,
 * and every effect is guarded by the event id. So a duplicate delivery, even at the same moment, changes
 * things once, and a delivery that failed half-way (database down: 503, Stripe retries) completes on the
 * retry. A bad signature or a signed event whose handled parts are malformed is a 400 and is not recorded:
 * a corrected retry applies.
 */
export function createWebhookIntake(deps: {
  clock: () => Date;
  logger: Logger;
  verify: WebhookVerifier;
  metrics?: ShopMetrics;
  /** The payment mails the outcomes record. */
  mails: OrderMails;
  faults?: Faults;
}) {
  const { clock, logger } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const outcomes = createPaymentOutcomes(deps);

  /** A webhook delivery: the raw body and its Stripe-Signature header. */
  async function receive(rawBody: Buffer, signature: string | undefined): Promise<IntakeResult> {
    const event = verifiedEvent(rawBody, signature);
    if (await alreadyProcessed(event)) return report(event, 'duplicate');
    const result = await apply(event);
    await WebhookEventModel.updateOne({ _id: event.id }, { $set: { processedAt: clock(), outcome: result } });
    logger.info('stripe event', { id: event.id, type: event.type, outcome: result });
    return report(event, result);
  }

  function verifiedEvent(rawBody: Buffer, signature: string | undefined): ReadEvent {
    try {
      return readEvent(deps.verify(rawBody, signature));
    } catch (error) {
      if (error instanceof WebhookSignatureError) {
        // The reason tells a wrong secret ("No signatures found matching ...") from a stale delivery (clock skew, a replay)
        // or a missing header. Stripe's dashboard shows this body for each failed delivery; the log line is for the operator.
        logger.warn('stripe webhook refused: bad signature', { reason: error.message });
        throw new ValidationError('Invalid webhook signature', [{ message: error.message }], 'INVALID_SIGNATURE');
      }
      if (error instanceof MalformedEventError) {
        // Signed by Stripe (or whoever holds our secret), yet not what this code reads: someone must look.
        logger.error('signed stripe event is malformed: refused, not recorded', { problems: error.problems });
        throw new ValidationError('Malformed Stripe event', error.problems, 'INVALID_EVENT');
      }
      throw error;
    }
  }

  async function alreadyProcessed(event: ReadEvent): Promise<boolean> {
    const receipt = { $setOnInsert: { type: event.type, receivedAt: clock() }, $inc: { deliveries: 1 } };
    try {
      const before = await WebhookEventModel.findOneAndUpdate({ _id: event.id }, receipt, {
        upsert: true,
        returnDocument: 'before',
      }).lean();
      return Boolean(before?.processedAt);
    } catch (error) {
      // Two deliveries racing to insert the receipt: the loser just reads it.
      if (!isDuplicateKeyError(error)) throw error;
      return Boolean((await WebhookEventModel.findById(event.id).lean())?.processedAt);
    }
  }

  async function apply(event: ReadEvent): Promise<IntakeResult> {
    if (event.outcome) return outcomes.apply({ sourceId: event.id, reason: event.reason }, event.outcome);
    if (event.ignored === 'unattributed') {
      logger.warn('refund or dispute event naming no payment intent or charge: no order to apply it to', {
        eventId: event.id,
        type: event.type,
      });
      return 'unknown_intent';
    }
    return 'ignored';
  }

  function report(event: ReadEvent, result: IntakeResult): IntakeResult {
    metrics.webhookEvent(event.type, result);
    return result;
  }

  return { receive };
}

export type WebhookIntake = ReturnType<typeof createWebhookIntake>;
