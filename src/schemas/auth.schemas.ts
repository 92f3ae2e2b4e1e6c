import { z } from 'zod';
import { passwordProblem } from '../lib/password';

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
