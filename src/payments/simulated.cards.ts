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
  [
    'pm_card_chargeDeclinedIncorrectCvc',
    declined('incorrect_cvc', "Your card's security code is incorrect.", 'incorrect_cvc'),
  ],
  [
    'pm_card_chargeDeclinedProcessingError',
    declined(
      'processing_error',
      'An error occurred while processing your card. Try again in a little bit.',
      'processing_error',
    ),
  ],
]);

/** Stripe's 3-D Secure test cards: the payment waits for the buyer's authentication (requires_action). */
const AUTHENTICATION_REQUIRED: ReadonlySet<string> = new Set([
  'pm_card_authenticationRequired',
  'pm_card_authenticationRequiredOnSetup',
  'pm_card_threeDSecure2Required',
  'pm_card_threeDSecureRequired',
]);

export type CardOutcome =
  { kind: 'approved' } | { kind: 'declined'; decline: CardDecline } | { kind: 'authenticate' } | { kind: 'unknown' };

export function testCardOutcome(paymentMethod: string): CardOutcome {
  const decline = DECLINES.get(paymentMethod);
  if (decline) return { kind: 'declined', decline };
  if (AUTHENTICATION_REQUIRED.has(paymentMethod)) return { kind: 'authenticate' };
  // Other pm_ ids (pm_1Abc... from Stripe.js) name payment methods that exist only in a real account.
  if (paymentMethod.startsWith('pm_card_')) return { kind: 'approved' };
  return { kind: 'unknown' };
}

/** Whether saving this test card on a customer is refused (Stripe declines these at setup; chargeCustomerFail only when charged). */
export function declinedOnSetup(paymentMethod: string): CardDecline | undefined {
  return paymentMethod === 'pm_card_chargeCustomerFail' ? undefined : DECLINES.get(paymentMethod);
}

/** The last four digits of each test card's number, as Stripe's test cards have them; other pm_card_* are a Visa 4242. */
const LAST4: Record<string, string> = {
  pm_card_mastercard: '4444',
  pm_card_amex: '0005',
  pm_card_discover: '1117',
  pm_card_visa_debit: '5556',
  pm_card_authenticationRequired: '3184',
  pm_card_authenticationRequiredOnSetup: '3155',
  pm_card_threeDSecure2Required: '3220',
  pm_card_threeDSecureRequired: '3063',
  pm_card_chargeCustomerFail: '0341',
  pm_card_chargeDeclined: '0002',
  pm_card_visa_chargeDeclined: '0002',
  pm_card_chargeDeclinedInsufficientFunds: '9995',
  pm_card_chargeDeclinedExpiredCard: '0069',
  pm_card_chargeDeclinedIncorrectCvc: '0127',
  pm_card_chargeDeclinedProcessingError: '0119',
};

/** What a saved copy of a test card shows: brand and last four digits. */
export function testCardDetails(paymentMethod: string): { brand: string; last4: string } {
  const brand = /^pm_card_(mastercard|amex|discover)/.exec(paymentMethod)?.[1] ?? 'visa';
  return { brand, last4: LAST4[paymentMethod] ?? '4242' };
}
