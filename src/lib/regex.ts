/** Escapes user text so a $regex matches it literally ("c++" finds "c++", not "c" repeated). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
