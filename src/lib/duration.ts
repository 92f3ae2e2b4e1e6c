const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses a duration setting into milliseconds. A bare number is milliseconds (the seed's
 * `JWT_EXPIRY=86400000` is one day); otherwise a number with a unit: `500ms`, `3600s`, `15m`, `12h`, `1d`.
 * Returns undefined for anything else.
 */
export function parseDurationMs(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2]?.toLowerCase() ?? 'ms') as keyof typeof UNIT_MS;
  const ms = Number(match[1]) * UNIT_MS[unit];
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}
