import { parseConfig } from '../../src/config/env';
import { productionEnv, problemsOf } from '../helpers/config';

describe('parseConfig: logs and metrics', () => {
  it.each([
    ['development by default', true, {}],
    ['production by default', true, productionEnv],
    ['test by default', false, { NODE_ENV: 'test' }],
    ['test with REQUEST_LOG=on', true, { NODE_ENV: 'test', REQUEST_LOG: 'on' }],
    ['production with REQUEST_LOG=off', false, { ...productionEnv, REQUEST_LOG: 'off' }],
  ])('when it is %s, then requestLog is %s', (_label, expected, source: Record<string, string>) => {
    expect(parseConfig(source).config.requestLog).toBe(expected);
  });

  it('when REQUEST_LOG names a morgan format, then it is refused with the allowed values', () => {
    expect(problemsOf({ REQUEST_LOG: 'combined' })).toEqual([expect.stringMatching(/^REQUEST_LOG: .*"on".*"off"/)]);
  });

  it('when METRICS_TOKEN is unset, empty, too short or set, then metrics are off, off, refused, on', () => {
    expect(parseConfig({}).config.metrics).toEqual({ token: undefined });
    expect(parseConfig({ METRICS_TOKEN: '  ' }).config.metrics).toEqual({ token: undefined });
    expect(problemsOf({ METRICS_TOKEN: 'short' })).toEqual([
      expect.stringMatching(/^METRICS_TOKEN: must be at least 16 characters/),
    ]);
    expect(parseConfig({ ...productionEnv, METRICS_TOKEN: 'scrape-me-0123456789' }).config.metrics).toEqual({
      token: 'scrape-me-0123456789',
    });
  });
});
