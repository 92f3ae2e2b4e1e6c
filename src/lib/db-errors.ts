/** MongoDB reports a unique index violation as error code 11000 (E11000 duplicate key). */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
