import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HANDLED_EVENT_TYPES } from '../../src/payments/stripe.events';

/**
 * HANDLED_EVENT_TYPES is the one list of the Stripe events this code handles: the webhook reads it, `npm run
 * stripe:webhook` subscribes the endpoint to it, and the README's two event tables must list exactly it.
 */
const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The event names in the first column of the table that follows `heading`. */
function eventsOfTable(heading: string): string[] {
  const from = readme.indexOf(heading);
  expect(from).toBeGreaterThan(-1);
  const lines = readme.slice(from).split('\n');
  const start = lines.findIndex((line) => /^\s*\| Event \|/.test(line));
  const rows = [];
  for (const line of lines.slice(start + 2)) {
    if (!/^\s*\|/.test(line)) break;
    rows.push(line.split('|')[1]!);
  }
  return rows.flatMap((cell) => [...cell.matchAll(/`([a-z_]+\.[a-z_.]+)`/g)].map((match) => match[1]!));
}

describe('the handled Stripe events, as documented', () => {
  it.each([['#### Webhooks'], ['2. **Webhook endpoint**']])(
    'when the README table after %s is read, then it lists exactly HANDLED_EVENT_TYPES',
    (heading) => {
      expect(new Set(eventsOfTable(heading))).toEqual(new Set(HANDLED_EVENT_TYPES));
    },
  );
});
