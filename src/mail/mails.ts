import type { Types } from 'mongoose';
import { digestOf, newOpaqueToken } from '../lib/opaque-token';
import { HELD_STOCK_AFTER } from '../lib/order-state';
import { AccountTokenModel, type AccountTokenPurpose } from '../models/account-token.model';
import type { MailRow } from '../models/mail.model';
import { OrderModel, type OrderRow } from '../models/order.model';
import { userCollection } from '../models/user.model';
import {
  emailVerificationMail,
  orderCanceledMail,
  orderPaidMail,
  orderRefundedMail,
  passwordResetMail,
  type MailContent,
  type MailSettings,
  type OrderSummary,
} from './templates';

export const MAIL_TEMPLATES = [
  'email-verification',
  'password-reset',
  'order-paid',
  'order-refunded',
  'order-canceled',
] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

export interface MailContext {
  settings: MailSettings;
  clock: () => Date;
  tokenTtlMs: { passwordReset: number; emailVerification: number };
}

/** What to do with a claimed mail, decided from the facts as they are when it is sent. */
export type Prepared =
  | { kind: 'send'; to: { address: string; name: string }; content: MailContent }
  /** The facts say this mail has no reason to go (no such account, already verified, order not canceled ...). */
  | { kind: 'skip'; reason: string }
  /** Its cause may not be stored yet (a mail is recorded just before its cause): look again shortly. */
  | { kind: 'wait'; reason: string };

/**
 * How long a mail waits for its cause to be stored before it is skipped. A cause is stored a moment after its
 * mail is recorded, or never (a registration refused as a duplicate, a crash in between).
 */
export const CAUSE_GRACE_MS = 60_000;

interface Recipient {
  _id: Types.ObjectId;
  name: string;
  email: string;
  disabled?: boolean;
  emailVerifiedAt?: Date | null;
}

/**
 * Each mail's facts are read when it is sent, not when it is recorded: a cause records its key and the ids it
 * concerns, and the mail says what is true by then (the order's lines, the account's name and address). The
 * token of an account mail is made here, just before the mail carries it, so a token exists only for a mail
 * that is being sent (an attempt that fails before the SMTP server takes the mail leaves an unused token that
 * nobody has, which expires).
 */
export async function prepareMail(mail: MailRow, context: MailContext): Promise<Prepared> {
  const age = context.clock().getTime() - mail.createdAt.getTime();
  const notYet = (reason: string): Prepared =>
    age < CAUSE_GRACE_MS ? { kind: 'wait', reason } : { kind: 'skip', reason };
  const data = (mail.data ?? {}) as Record<string, unknown>;
  switch (mail.template as MailTemplate) {
    case 'email-verification': {
      const user = await recipient({ _id: mail.userId });
      if (!user) return notYet('no_account');
      if (user.emailVerifiedAt) return { kind: 'skip', reason: 'already_verified' };
      if (user.disabled) return { kind: 'skip', reason: 'account_disabled' };
      const token = await mailedToken(
        'email_verification',
        user,
        mail._id,
        context.tokenTtlMs.emailVerification,
        context.clock,
      );
      return send(
        user,
        emailVerificationMail(context.settings, {
          name: user.name,
          token,
          validForMs: context.tokenTtlMs.emailVerification,
        }),
      );
    }
    case 'password-reset': {
      // Whether the address has an account is found out here, not in the request that asked: see account.service.ts.
      const user = typeof data.email === 'string' ? await recipient({ email: data.email }) : null;
      if (!user) return { kind: 'skip', reason: 'no_account' };
      if (user.disabled) return { kind: 'skip', reason: 'account_disabled' };
      const token = await mailedToken(
        'password_reset',
        user,
        mail._id,
        context.tokenTtlMs.passwordReset,
        context.clock,
      );
      return send(
        user,
        passwordResetMail(context.settings, { name: user.name, token, validForMs: context.tokenTtlMs.passwordReset }),
      );
    }
    case 'order-paid':
    case 'order-refunded':
    case 'order-canceled': {
      const order =
        typeof data.orderId === 'string' ? ((await OrderModel.findById(data.orderId).lean()) as OrderRow | null) : null;
      if (!order) return notYet('no_order');
      const user = await recipient({ _id: order.userId });
      if (!user) return { kind: 'skip', reason: 'no_account' };
      const summary = summaryOf(order);
      if (mail.template === 'order-paid') {
        // Any status whose units are sold: the money was taken (paid, and whatever a paid order becomes).
        if (HELD_STOCK_AFTER[order.status] !== 'committed') return notYet(`order_${order.status}`);
        return send(user, orderPaidMail(context.settings, { name: user.name, order: summary }));
      }
      if (mail.template === 'order-refunded') {
        const refundedMinor = typeof data.refundedMinor === 'number' ? data.refundedMinor : 0;
        if (refundedMinor <= 0) return { kind: 'skip', reason: 'nothing_refunded' };
        return send(user, orderRefundedMail(context.settings, { name: user.name, order: summary, refundedMinor }));
      }
      if (order.status !== 'canceled') return notYet(`order_${order.status}`);
      const expired = order.history.at(-1)?.reason === 'payment_timeout';
      return send(user, orderCanceledMail(context.settings, { name: user.name, order: summary, expired }));
    }
    default:
      return { kind: 'skip', reason: 'unknown_template' };
  }
}

function send(user: Recipient, content: MailContent): Prepared {
  return { kind: 'send', to: { address: user.email, name: user.name }, content };
}

async function recipient(filter: { _id?: Types.ObjectId | null; email?: string }): Promise<Recipient | null> {
  if (filter._id === null) return null;
  const found = filter._id ? { _id: filter._id } : { email: filter.email ?? '' };
  return userCollection().findOne<Recipient>(found, {
    projection: { name: 1, email: 1, disabled: 1, emailVerifiedAt: 1 },
  });
}

async function mailedToken(
  purpose: AccountTokenPurpose,
  user: Recipient,
  mailKey: string,
  ttlMs: number,
  clock: () => Date,
): Promise<string> {
  const token = newOpaqueToken();
  await AccountTokenModel.create({
    _id: digestOf(token),
    purpose,
    userId: user._id,
    email: user.email,
    mailKey,
    expiresAt: new Date(clock().getTime() + ttlMs),
  });
  return token;
}

function summaryOf(order: OrderRow): OrderSummary {
  return {
    id: order._id.toHexString(),
    items: order.items.map((item) => ({
      name: item.name,
      quantity: item.quantity,
      lineTotalMinor: item.lineTotalMinor,
    })),
    amountMinor: order.amountMinor,
    currency: order.currency,
    ...(order.capturedMinor != null &&
      order.capturedMinor < order.amountMinor && { chargedMinor: order.capturedMinor }),
  };
}
