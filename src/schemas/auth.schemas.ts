import { z } from 'zod';
import { passwordProblem } from '../lib/password';
import { ROLES } from '../models/user.model';
import { boundedText, idString, requiredOr } from './common.schemas';

const EMAIL_MESSAGE = 'Must be a valid email address of at most 254 characters';
const email = z
  .string({ error: requiredOr(EMAIL_MESSAGE) })
  .trim()
  .toLowerCase()
  .max(254, EMAIL_MESSAGE)
  .pipe(z.email(EMAIL_MESSAGE));
const password = z.string({ error: requiredOr('Must be text of at least 8 characters and at most 72 bytes in UTF-8') }).superRefine((value, ctx) => {
  const problem = passwordProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

// Unknown fields (role, _id, ...) are dropped by z.object, so they can never reach the database.
export const registerRequest = {
  body: z.object({
    name: boundedText(1, 100),
    email,
    password,
  }),
};

export const loginRequest = {
  body: z.object({
    email,
    // Not the registration policy: a wrong password of any length is just a failed login.
    password: boundedText(1, 1024, { trim: false }),
  }),
};

// ---- Responses ----

export const userView = z
  .object({
    id: idString,
    name: z.string().meta({ example: 'John Doe' }),
    email: z.string().meta({ example: 'john.doe@example.com' }),
    role: z.enum(ROLES),
  })
  .meta({ id: 'User' });

export const registerResponse = z.object({ message: z.literal('Registration was successfully'), data: userView });
export const loginResponse = z.object({
  message: z.literal('Login jwt generated'),
  token: z
    .string()
    .regex(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
    .meta({ description: 'Send it as it is in the Authorization header' }),
});
export const profileResponse = z.object({ message: z.literal('user Profile'), details: userView });
