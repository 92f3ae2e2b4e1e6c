import { z } from 'zod';
import { passwordProblem } from '../lib/password';
import { ROLES } from '../models/user.model';
import { boundedText, idString, requiredOr } from './common.schemas';

const EMAIL_MESSAGE = 'Must be a valid email address of at most 254 characters';
export const email = z
  .string({ error: requiredOr(EMAIL_MESSAGE) })
  .trim()
  .toLowerCase()
  .max(254, EMAIL_MESSAGE)
  .pipe(z.email(EMAIL_MESSAGE));
/** The password rules of registration, for every new password (registration, change, reset). */
export const password = z
  .string({ error: requiredOr('Must be text of at least 8 characters and at most 72 bytes in UTF-8') })
  .superRefine((value, ctx) => {
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

// ---- Sessions ----

const bearerToken = z
  .string()
  .regex(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
  .meta({ description: 'The access token: send it as it is in the Authorization header' });
/** What login and refresh add to the token: its lifetime and the refresh token. */
const sessionFields = {
  expiresIn: z.number().int().meta({
    description: 'Seconds until the access token expires (ACCESS_TOKEN_EXPIRY, else JWT_EXPIRY)',
    example: 86_400,
  }),
  refreshToken: z.string().meta({
    description:
      'Exchanged once for a new access token and a new refresh token (POST /api/token/refresh); keep it secret',
    example: 'q4Xw1bXb0lS8m1B1r0yY3sJ6o2cH8n5tK9dP7fE4aZc',
  }),
  refreshTokenExpiresIn: z
    .number()
    .int()
    .meta({ description: 'Seconds until the refresh token expires (REFRESH_TOKEN_EXPIRY)', example: 2_592_000 }),
};

const REFRESH_TOKEN_MESSAGE = 'Must be the refreshToken of the last login or refresh';
export const refreshRequest = {
  body: z.object({
    refreshToken: z
      .string({ error: requiredOr(REFRESH_TOKEN_MESSAGE) })
      .min(1, REFRESH_TOKEN_MESSAGE)
      .max(512, REFRESH_TOKEN_MESSAGE),
  }),
};

export const loginSessionResponse = loginResponse.extend(sessionFields);
export const refreshResponse = z.object({
  message: z.literal('Token refreshed'),
  token: bearerToken,
  ...sessionFields,
});
export const logoutResponse = z.object({ message: z.literal('Logged out') });
export const logoutAllResponse = z.object({ message: z.literal('Logged out everywhere') });
