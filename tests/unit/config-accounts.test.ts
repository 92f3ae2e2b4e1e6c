import { ConfigError, parseConfig } from '../../src/config/env';

describe('parseConfig: sessions, accounts and mail', () => {
  it('when nothing is set, then access tokens keep JWT_EXPIRY, refresh tokens last 30 days, reset links 30 minutes, and mail is written to .data/mail', () => {
    const { config } = parseConfig({});

    expect(config.jwt.expiresInSeconds).toBe(86_400);
    expect(config.sessions).toEqual({ refreshTokenTtlMs: 30 * 86_400_000, maxPerUser: 10 });
    expect(config.accounts).toMatchObject({
      passwordResetTokenTtlMs: 30 * 60_000,
      emailVerificationTokenTtlMs: 2 * 86_400_000,
      requireVerifiedEmailToOrder: false,
      limits: {
        passwordForgotPerAccount: { max: 3, windowMs: 3_600_000 },
        passwordForgotPerAddress: { max: 20, windowMs: 3_600_000 },
        verificationMail: { max: 3, windowMs: 3_600_000 },
      },
    });
    expect(config.mail).toEqual({
      shopName: 'Shop',
      linkBase: 'http://localhost:3000/',
      from: '"Shop" <no-reply@localhost>',
      smtpUrl: undefined,
      dir: '.data/mail',
      pollIntervalMs: 5000,
      maxAttempts: 8,
      retryBaseMs: 30_000,
      retryMaxMs: 3_600_000,
      smtpTimeoutMs: 10_000,
      sendLeaseMs: 50_000,
      retentionMs: 30 * 86_400_000,
    });
  });

  it('when ACCESS_TOKEN_EXPIRY is set, then it decides the access lifetime whatever JWT_EXPIRY says', () => {
    expect(parseConfig({ ACCESS_TOKEN_EXPIRY: '15m', JWT_EXPIRY: '2d' }).config.jwt.expiresInSeconds).toBe(900);
    expect(parseConfig({ JWT_EXPIRY: '2d' }).config.jwt.expiresInSeconds).toBe(172_800);
  });

  it('when the shop and its mail are configured, then links, sender and SMTP follow', () => {
    const { config } = parseConfig({
      SHOP_NAME: 'Lamp "Shop"',
      SHOP_URL: 'https://shop.example.com/store',
      SMTP_URL: 'smtps://user:secret@smtp.example.com:465',
      MAIL_SMTP_TIMEOUT_MS: '2000',
      REQUIRE_VERIFIED_EMAIL_TO_ORDER: 'on',
    });

    expect(config.mail).toMatchObject({
      linkBase: 'https://shop.example.com/store/',
      from: '"Lamp Shop" <no-reply@shop.example.com>',
      smtpUrl: 'smtps://user:secret@smtp.example.com:465',
      sendLeaseMs: 18_000,
    });
    expect(config.accounts.requireVerifiedEmailToOrder).toBe(true);
    expect(parseConfig({ MAIL_FROM: 'Shop <orders@shop.example.com>' }).config.mail.from).toBe(
      'Shop <orders@shop.example.com>',
    );
  });

  it.each([
    ['SMTP_URL', 'http://smtp.example.com'],
    ['SHOP_URL', 'ftp://shop.example.com'],
    ['ACCESS_TOKEN_EXPIRY', 'soon'],
    ['REFRESH_TOKEN_EXPIRY', '500ms'],
    ['PASSWORD_RESET_TOKEN_EXPIRY', '-1'],
    ['SESSIONS_MAX_PER_USER', '0'],
    ['REQUIRE_VERIFIED_EMAIL_TO_ORDER', 'yes'],
    ['MAIL_MAX_ATTEMPTS', '0'],
  ])('when %s is %j, then start-up refuses it by name', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });
});
