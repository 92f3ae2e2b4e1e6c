import { z } from 'zod';
import type { CreateDocumentOptions } from 'zod-openapi';
import { CURRENCIES } from '../lib/currencies';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARS } from '../lib/password';
import { createdBoundFormats, createdBoundText } from '../schemas/admin.schemas';
import { registerRequest } from '../schemas/auth.schemas';
import { currencyCode } from '../schemas/common.schemas';
import { createProductRequest, updateProductRequest } from '../schemas/product.schemas';

type Override = NonNullable<CreateDocumentOptions['override']>;

/** Some character that is not white space. */
const NOT_BLANK = '\\S';

/** Whether a string schema trims its input first (a zod `overwrite` check that turns '  ' into ''). */
function trims(schema: z.core.$ZodType): boolean {
  const checks =
    (schema._zod.def as { checks?: Array<{ _zod: { def: { check: string; tx?: (value: string) => string } } }> })
      .checks ?? [];
  return checks.some((check) => check._zod.def.check === 'overwrite' && check._zod.def.tx?.('  ') === '');
}

/**
 * What zod's JSON Schema conversion cannot see in the request schemas (refinements, the far side of a
 * pipe) but a JSON Schema can say, so that a client or fuzzer generating "valid" requests from the
 * document sends what the API accepts. Stated from the same constants the validation uses. Rules no
 * JSON Schema can state (a cursor's validity, decimals per currency, 72 bytes in UTF-8, minPrice <=
 * maxPrice, totals) are in the operations' descriptions and error codes.
 */
export const describeRefinements: Override = ({ zodSchema, jsonSchema, io }) => {
  const def = zodSchema._zod.def;
  if (io === 'input' && def.type === 'pipe') {
    // `z.string().trim().max(254).pipe(z.email())`: the input is the left side, but the right side's pattern applies too.
    // Only the pattern: it is exactly what zod checks, where JSON Schema's `format: email` is another rule.
    const after = z.toJSONSchema((def as unknown as { out: z.ZodType }).out, {
      io: 'input',
      unrepresentable: 'any',
    }) as { pattern?: string };
    if (after.pattern && !jsonSchema.pattern) jsonSchema.pattern = after.pattern;
  }
  // `.trim().min(1)`: the length is checked after trimming, so blank text is refused.
  if (
    io === 'input' &&
    def.type === 'string' &&
    trims(zodSchema) &&
    Number(jsonSchema.minLength) >= 1 &&
    !jsonSchema.pattern
  )
    jsonSchema.pattern = NOT_BLANK;
  if (zodSchema === createProductRequest.body.shape.description) {
    jsonSchema.minLength = 1;
    jsonSchema.pattern = NOT_BLANK;
  }
  if (zodSchema === currencyCode) {
    jsonSchema.enum = [...CURRENCIES.keys()].sort();
    delete jsonSchema.pattern;
    jsonSchema.description =
      'ISO 4217 code of a currency Stripe charges cards in; case-insensitive (stored upper-case)';
  }
  if (zodSchema === registerRequest.body.shape.password) {
    jsonSchema.minLength = PASSWORD_MIN_CHARS;
    jsonSchema.maxLength = PASSWORD_MAX_BYTES;
    jsonSchema.description = `At least ${PASSWORD_MIN_CHARS} characters and at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 (bcrypt's limit)`;
  }
  if (zodSchema === updateProductRequest.body) jsonSchema.minProperties = 1;
  if (zodSchema === createdBoundText) {
    // A refinement accepting either of two zod formats: each with its own format and exact pattern.
    jsonSchema.anyOf = createdBoundFormats.map((format) => {
      const { $schema: _dialect, ...schema } = z.toJSONSchema(format);
      return schema;
    });
  }
};
