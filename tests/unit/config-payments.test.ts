import { ConfigError, parseConfig } from '../../src/config/env';

describe('parseConfig: capture mode and authorizations', () => {
  it('when nothing is set, then payments are captured at once and an authorization is voided 144 hours after its order', () => {
    expect(parseConfig({}).config.payments).toEqual({
      capture: 'automatic',
      authorizationVoidAfterMs: 144 * 3_600_000,
    });
  });

  it('when PAYMENT_CAPTURE=manual and the hours are set, then both are read', () => {
    expect(parseConfig({ PAYMENT_CAPTURE: 'manual', AUTHORIZATION_VOID_AFTER_HOURS: '48' }).config.payments).toEqual({
      capture: 'manual',
      authorizationVoidAfterMs: 48 * 3_600_000,
    });
  });

  it.each([
    ['PAYMENT_CAPTURE', 'later'],
    ['AUTHORIZATION_VOID_AFTER_HOURS', '168'],
    ['AUTHORIZATION_VOID_AFTER_HOURS', '0'],
  ])(
    'when %s=%s, then start-up stops naming it (Stripe lets an authorization lapse after 168 hours)',
    (name, value) => {
      expect(() => parseConfig({ [name]: value })).toThrow(ConfigError);
      expect(() => parseConfig({ [name]: value })).toThrow(new RegExp(name));
    },
  );
});
