import { escapeHtml, html } from '../../src/mail/html';
import {
  durationText,
  emailVerificationMail,
  orderCanceledMail,
  orderPaidMail,
  orderRefundedMail,
  passwordResetMail,
} from '../../src/mail/templates';

const settings = { shopName: 'Shop & <Co>', linkBase: 'https://shop.example.com/' };
const hostile = `<img src=x onerror="alert('x')">&amp;`;
const order = {
  id: '665f1e4b8b3a4d0012ab34e7',
  items: [{ name: hostile, quantity: 2, lineTotalMinor: 5198 }],
  amountMinor: 5198,
  currency: 'USD',
};

describe('html', () => {
  it('when values are put into it, then each is escaped, unless it is html itself', () => {
    const inner = html`<b>${'<i>'}</b>`;

    expect(html`<p title="${'"quoted"'}">${hostile}${inner}${[1, '<2>']}</p>`.value).toBe(
      '<p title="&quot;quoted&quot;">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;amp;<b>&lt;i&gt;</b>1&lt;2&gt;</p>',
    );
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

describe('the mails', () => {
  const all = [
    emailVerificationMail(settings, { name: hostile, token: 'tok_en-1', validForMs: 2 * 86_400_000 }),
    passwordResetMail(settings, { name: hostile, token: 'tok_en-1', validForMs: 30 * 60_000 }),
    orderPaidMail(settings, { name: hostile, order }),
    orderRefundedMail(settings, { name: hostile, order, refundedMinor: 1000 }),
    orderCanceledMail(settings, { name: hostile, order, expired: true }),
  ];

  it.each(all.map((mail) => [mail.subject, mail]))(
    'when "%s" is rendered with hostile names, then its HTML part has none of them as markup',
    (_subject, mail) => {
      expect(mail.html).not.toContain('<img');
      expect(mail.html).not.toContain('<Co>');
      expect(mail.html).toContain('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;amp;');
      expect(mail.html).toContain('Shop &amp; &lt;Co&gt;');
      expect(mail.text).toContain(hostile); // the text part is text: shown as written
    },
  );

  it('when links are made, then they start with the link base and carry the token or the order', () => {
    expect(all[0]!.text).toContain('https://shop.example.com/#/verify-email?token=tok_en-1');
    expect(all[1]!.text).toContain('https://shop.example.com/#/reset-password?token=tok_en-1');
    expect(all[2]!.text).toContain(`https://shop.example.com/#/orders/${order.id}`);
    expect(all[2]!.text).toContain('Total: 51.98 USD');
    expect(all[3]!.text).toContain('10.00 USD of order');
    expect(all[4]!.subject).toBe(`Shop & <Co>: order ${order.id} expired`);
  });

  it('when less than the total was charged (a partial manual capture), then the order mails say what was, and a refund of all of it is in full', () => {
    const partly = { ...order, chargedMinor: 3000 };

    const paid = orderPaidMail(settings, { name: 'Ann', order: partly });
    const refunded = orderRefundedMail(settings, { name: 'Ann', order: partly, refundedMinor: 3000 });

    expect(paid.text).toContain('Total: 51.98 USD\n  Charged: 30.00 USD');
    expect(paid.html).toMatch(/Charged<\/th>\s*<th style="text-align: right">30\.00 USD/);
    expect(refunded.text).toContain('has been refunded in full (30.00 USD)');
    expect(orderPaidMail(settings, { name: 'Ann', order }).text).not.toContain('Charged');
  });

  it.each([
    [30 * 60_000, '30 minutes'],
    [3_600_000, '1 hour'],
    [2 * 86_400_000, '2 days'],
    [90_000, '2 minutes'],
  ])('when a link lasts %i ms, then the mail says "%s"', (ms, text) => {
    expect(durationText(ms)).toBe(text);
  });
});
