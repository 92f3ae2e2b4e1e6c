import { formatMoney } from '../lib/money';
import { html, type SafeHtml } from './html';

/**
 * The mails, each a text part and an HTML part. Pure: they take what the mail says and the shop's settings and
 * return its content; src/mail/mails.ts reads the data when a mail is sent. Every value in the HTML part goes
 * through `html`, which escapes it: names, addresses and product names were typed by someone.
 */

export interface MailSettings {
  shopName: string;
  /** Links are this plus a path (`#/orders/<id>` ...): the storefront's address, or the shop's own front end. */
  linkBase: string;
}

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export interface OrderSummary {
  id: string;
  items: Array<{ name: string; quantity: number; lineTotalMinor: number }>;
  amountMinor: number;
  currency: string;
  /** What was charged when it is less than the total (a partial manual capture); absent otherwise. */
  chargedMinor?: number;
}

export const linkTo = (settings: MailSettings, path: string) => `${settings.linkBase}${path}`;

/** "30 minutes", "2 days": how long a mailed link works. */
export function durationText(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) {
      const count = ms / size;
      return `${count} ${name}${count === 1 ? '' : 's'}`;
    }
  }
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

function layout(settings: MailSettings, heading: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${heading}</title>
      </head>
      <body
        style="font-family: sans-serif; line-height: 1.5; color: #222; max-width: 40em; margin: 0 auto; padding: 1em"
      >
        <h1 style="font-size: 1.3em">${heading}</h1>
        ${body}
        <p style="color: #666; font-size: 0.9em">${settings.shopName}</p>
      </body>
    </html> `.value;
}

function button(href: string, label: string): SafeHtml {
  return html`<p>
      <a
        href="${href}"
        style="display: inline-block; padding: 0.6em 1.2em; background: #1a5fb4; color: #fff; text-decoration: none; border-radius: 4px"
        >${label}</a
      >
    </p>
    <p style="font-size: 0.9em">
      Or copy this address into your browser: <br /><span style="word-break: break-all">${href}</span>
    </p>`;
}

export function emailVerificationMail(
  settings: MailSettings,
  data: { name: string; token: string; validForMs: number },
): MailContent {
  const link = linkTo(settings, `#/verify-email?token=${encodeURIComponent(data.token)}`);
  const validFor = durationText(data.validForMs);
  const heading = 'Confirm your email address';
  return {
    subject: `${settings.shopName}: confirm your email address`,
    text: `Hello ${data.name},

please confirm that this is your email address by opening this link (it works for ${validFor}):

${link}

If you did not create an account at ${settings.shopName}, ignore this mail.

${settings.shopName}
`,
    html: layout(
      settings,
      heading,
      html`<p>Hello ${data.name},</p>
        <p>please confirm that this is your email address (the link works for ${validFor}):</p>
        ${button(link, 'Confirm my address')}
        <p>If you did not create an account at ${settings.shopName}, ignore this mail.</p>`,
    ),
  };
}

export function passwordResetMail(
  settings: MailSettings,
  data: { name: string; token: string; validForMs: number },
): MailContent {
  const link = linkTo(settings, `#/reset-password?token=${encodeURIComponent(data.token)}`);
  const validFor = durationText(data.validForMs);
  return {
    subject: `${settings.shopName}: reset your password`,
    text: `Hello ${data.name},

someone, hopefully you, asked to reset the password of your account. To choose a new one, open this link
(it works once, for ${validFor}):

${link}

If it was not you, ignore this mail: your password stays as it is.

${settings.shopName}
`,
    html: layout(
      settings,
      'Reset your password',
      html`<p>Hello ${data.name},</p>
        <p>
          someone, hopefully you, asked to reset the password of your account. To choose a new one, open this link (it
          works once, for ${validFor}):
        </p>
        ${button(link, 'Choose a new password')}
        <p>If it was not you, ignore this mail: your password stays as it is.</p>`,
    ),
  };
}

function itemsText(order: OrderSummary): string {
  const lines = order.items.map(
    (item) => `  ${item.quantity} x ${item.name}: ${formatMoney(item.lineTotalMinor, order.currency)}`,
  );
  const charged =
    order.chargedMinor === undefined ? '' : `\n  Charged: ${formatMoney(order.chargedMinor, order.currency)}`;
  return `${lines.join('\n')}\n  Total: ${formatMoney(order.amountMinor, order.currency)}${charged}`;
}

function itemsHtml(order: OrderSummary): SafeHtml {
  const rows = order.items.map(
    (item) =>
      html`<tr>
        <td>${item.quantity} ×</td>
        <td>${item.name}</td>
        <td style="text-align: right">${formatMoney(item.lineTotalMinor, order.currency)}</td>
      </tr>`,
  );
  return html`<table style="border-collapse: collapse" cellpadding="4">
    ${rows}
    <tr>
      <td></td>
      <th style="text-align: left">Total</th>
      <th style="text-align: right">${formatMoney(order.amountMinor, order.currency)}</th>
    </tr>
    ${
      order.chargedMinor === undefined
        ? ''
        : html`<tr>
            <td></td>
            <th style="text-align: left">Charged</th>
            <th style="text-align: right">${formatMoney(order.chargedMinor, order.currency)}</th>
          </tr>`
    }
  </table>`;
}

export function orderPaidMail(settings: MailSettings, data: { name: string; order: OrderSummary }): MailContent {
  const link = linkTo(settings, `#/orders/${data.order.id}`);
  return {
    subject: `${settings.shopName}: your order ${data.order.id} is paid`,
    text: `Hello ${data.name},

thank you: we have received your payment for order ${data.order.id}.

${itemsText(data.order)}

Your order: ${link}

${settings.shopName}
`,
    html: layout(
      settings,
      'Your order is paid',
      html`<p>Hello ${data.name},</p>
        <p>thank you: we have received your payment for order <strong>${data.order.id}</strong>.</p>
        ${itemsHtml(data.order)}
        <p><a href="${link}">See your order</a></p>`,
    ),
  };
}

export function orderRefundedMail(
  settings: MailSettings,
  data: { name: string; order: OrderSummary; refundedMinor: number },
): MailContent {
  const link = linkTo(settings, `#/orders/${data.order.id}`);
  const refunded = formatMoney(data.refundedMinor, data.order.currency);
  const whole = data.refundedMinor >= (data.order.chargedMinor ?? data.order.amountMinor);
  const what = whole
    ? `order ${data.order.id} has been refunded in full (${refunded})`
    : `${refunded} of order ${data.order.id} has been refunded so far`;
  return {
    subject: `${settings.shopName}: refund of order ${data.order.id}`,
    text: `Hello ${data.name},

${what}. Depending on your bank, the money can take a few days to show on your statement.

${itemsText(data.order)}

Your order: ${link}

${settings.shopName}
`,
    html: layout(
      settings,
      'Your refund',
      html`<p>Hello ${data.name},</p>
        <p>${what}. Depending on your bank, the money can take a few days to show on your statement.</p>
        ${itemsHtml(data.order)}
        <p><a href="${link}">See your order</a></p>`,
    ),
  };
}

export function orderCanceledMail(
  settings: MailSettings,
  data: { name: string; order: OrderSummary; expired: boolean },
): MailContent {
  const link = linkTo(settings, `#/orders/${data.order.id}`);
  const why = data.expired
    ? `order ${data.order.id} was canceled because it was not paid in time`
    : `order ${data.order.id} has been canceled`;
  return {
    subject: `${settings.shopName}: order ${data.order.id} ${data.expired ? 'expired' : 'canceled'}`,
    text: `Hello ${data.name},

${why}. Nothing was charged for it.

${itemsText(data.order)}

Your order: ${link}

${settings.shopName}
`,
    html: layout(
      settings,
      data.expired ? 'Your order expired' : 'Your order was canceled',
      html`<p>Hello ${data.name},</p>
        <p>${why}. Nothing was charged for it.</p>
        ${itemsHtml(data.order)}
        <p><a href="${link}">See your order</a></p>`,
    ),
  };
}
