import { z } from 'zod';
import { passwordProblem } from '../lib/password';
import { ROLES } from '../models/user.model';
import { idString } from './common.schemas';

const email = z.string().trim().toLowerCase().max(254).pipe(z.email('Must be a valid email address'));
const password = z.string().superRefine((value, ctx) => {
  const problem = passwordProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

// Unknown fields (role, _id, ...) are dropped by z.object, so they can never reach the database.
export const registerRequest = {
  body: z.object({
    name: z.string().trim().min(1, 'Name is required').max(100),
    email,
    password,
  }),
};

export const loginRequest = {
  body: z.object({
    email,
    // Not the registration policy: a wrong password of any length is just a failed login.
    password: z.string().min(1, 'Password is required').max(1024),
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
  token: z.string().regex(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/).meta({ description: 'Send it as it is in the Authorization header' }),
});
export const profileResponse = z.object({ message: z.literal('user Profile'), details: userView });
