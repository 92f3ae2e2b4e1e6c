/**
 * Named places between two writes where a crash would leave a half-done step behind. A test (never a
 * production deployment: the config refuses it there) starts the real server with FAULT_CRASH_AT naming one,
 * and the process kills itself with SIGKILL the moment it gets there, as `kill -9` would: no finally blocks,
 * no shutdown hooks. What the next request or the expiry job makes of the leftovers is then tested from outside.
 */
export const FAULT_POINTS = [
  /** Order creation: the Idempotency-Key is stored, the order is not inserted yet. */
  'order.after-idempotency-key',
  /** Order creation: the order is inserted (not placed), its stock not reserved yet. */
  'order.after-insert',
  /** Payment outcome: the order's final status is stored, its stock (and the mail it causes) not settled yet. */
  'payment.before-settle',
  /** Mail: the SMTP server has taken the message (its answer is in), the mail is not recorded as sent yet. */
  'mail.after-handover',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export interface Faults {
  reach(point: FaultPoint): void;
}

export const noFaults: Faults = { reach: () => undefined };

export function crashAt(point: FaultPoint | undefined): Faults {
  if (!point) return noFaults;
  return {
    reach(reached) {
      if (reached === point) process.kill(process.pid, 'SIGKILL');
    },
  };
}
