import { nextState, type AvailabilityEvent, type AvailabilityState } from '../../src/db/availability';

/** The availability watchdog's transitions (src/db/availability.ts), walked as a table over every (state, event) pair. */
const STATES: AvailabilityState[] = ['serving', 'lost', 'restoring', 'reconnecting', 'stopped'];
const EVENTS: AvailabilityEvent[] = [
  'noWritableServer',
  'writableServer',
  'connectionFailed',
  'indexesChecked',
  'driverStuck',
  'reconnected',
  'stop',
];

const EXPECTED: Record<AvailabilityState, Partial<Record<AvailabilityEvent, AvailabilityState>>> = {
  serving: { noWritableServer: 'lost', connectionFailed: 'restoring', driverStuck: 'reconnecting', stop: 'stopped' },
  lost: { writableServer: 'restoring', driverStuck: 'reconnecting', stop: 'stopped' },
  restoring: {
    noWritableServer: 'lost',
    writableServer: 'restoring',
    connectionFailed: 'restoring',
    indexesChecked: 'serving',
    driverStuck: 'reconnecting',
    stop: 'stopped',
  },
  reconnecting: { reconnected: 'restoring', stop: 'stopped' },
  stopped: {},
};

describe('database availability transitions', () => {
  it.each(STATES.flatMap((state) => EVENTS.map((event) => [state, event] as const)))(
    'when %s gets %s, then it moves as the table says',
    (state, event) => {
      expect(nextState(state, event)).toBe(EXPECTED[state][event]);
    },
  );

  it('when the database comes back after an outage, then the only way to serving again is through restoring (indexes checked)', () => {
    const into = (target: AvailabilityState) =>
      STATES.filter((state) => EVENTS.some((event) => nextState(state, event) === target));

    expect(into('serving')).toEqual(['restoring']);
    expect(nextState('lost', 'indexesChecked')).toBeUndefined();
    expect(nextState('reconnecting', 'writableServer')).toBeUndefined();
  });
});
