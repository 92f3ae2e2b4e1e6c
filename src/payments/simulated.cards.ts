/**
 * Stripe's test-mode payment methods as the simulated gateway plays them: each decline below gives the
 * code, decline_code and message Stripe's test cards give; any other pm_card_* is approved.
 */
export interface CardDecline {
  code: string;
  declineCode: string;
  message: string;
}

const declined = (declineCode: string, message = 'Your card was declined.', code = 'card_declined'): CardDecline => ({
  code,
  declineCode,
  message,
});

const DECLINES: ReadonlyMap<string, CardDecline> = new Map([
  ['pm_card_chargeDeclined', declined('generic_decline')],
  ['pm_card_visa_chargeDeclined', declined('generic_decline')],
  // Attaching this card succeeds; charging it fails. Without customers, only the charge is played.
  ['pm_card_chargeCustomerFail', declined('generic_decline')],
  ['pm_card_chargeDeclinedInsufficientFunds', declined('insufficient_funds', 'Your card has insufficient funds.')],
  ['pm_card_chargeDeclinedExpiredCard', declined('expired_card', 'Your card has expired.', 'expired_card')],
  ['pm_card_chargeDeclinedFraudulent', declined('fraudulent')],
  ['pm_card_chargeDeclinedLostCard', declined('lost_card')],
  ['pm_card_chargeDeclinedStolenCard', declined('stolen_card')],
  ['pm_card_chargeDeclinedIncorrectCvc', declined('incorrect_cvc', "Your card's security code is incorrect.", 'incorrect_cvc')],
  [
    'pm_card_chargeDeclinedProcessingError',
    declined('processing_error', 'An error occurred while processing your card. Try again in a little bit.', 'processing_error'),
  ],
]);

export type CardOutcome = { kind: 'approved' } | { kind: 'declined'; decline: CardDecline } | { kind: 'unknown' };

export function testCardOutcome(paymentMethod: string): CardOutcome {
  const decline = DECLINES.get(paymentMethod);
  if (decline) return { kind: 'declined', decline };
  // Other pm_ ids (pm_1Abc... from Stripe.js) name payment methods that exist only in a real account.
  if (paymentMethod.startsWith('pm_card_')) return { kind: 'approved' };
  return { kind: 'unknown' };
}
