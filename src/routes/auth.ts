import { loginRequest, loginResponse, profileResponse, registerRequest, registerResponse } from '../schemas/auth.schemas';
import { exampleUser } from '../openapi/examples';
import type { ApiOperation } from './operation';

const exampleToken = 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NjVmMWMyZThiM2E0ZDAwMTJhYjM0Y2QifQ.c2lnbmF0dXJl';

export const authRoutes: ApiOperation[] = [
  {
    method: 'post',
    path: '/api/registration',
    operationId: 'register',
    handler: (c) => c.auth.register,
    tag: 'Auth',
    summary: 'Register a user',
    description:
      'Creates an account with role `user`, whatever the body says. The email is trimmed and lower-cased; a duplicate in any ' +
      "letter case is a 409. The password needs at least 8 characters and at most 72 bytes in UTF-8 (bcrypt's limit). " +
      'Registrations are limited per client address (REGISTRATION_RATE_LIMIT_MAX per REGISTRATION_RATE_LIMIT_WINDOW_SECONDS), counted in MongoDB so every instance shares them.',
    access: 'public',
    // The account it makes, and (for login) the token: personal data either way.
    private: true,
    limits: { beforeValidation: ['registration'] },
    request: registerRequest,
    requestExample: { name: 'John Doe', email: 'john.doe@example.com', password: 'password123' },
    errors: ['EMAIL_TAKEN'],
    responses: {
      201: {
        description: 'Registered',
        schema: registerResponse,
        example: {
          message: 'Registration was successfully',
          data: { name: exampleUser.name, email: exampleUser.email, role: 'user', id: exampleUser.id },
        },
      },
    },
  },
  {
    method: 'post',
    path: '/api/login',
    operationId: 'login',
    handler: (c) => c.auth.login,
    tag: 'Auth',
    summary: 'Log in and get a token',
    description:
      'An unknown email and a wrong password give the same 401. The token is returned as `Bearer <JWT>`, ready for the Authorization header. ' +
      'Failed logins are limited per account (LOGIN_ACCOUNT_RATE_LIMIT_MAX per LOGIN_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS) and per client address ' +
      '(LOGIN_ADDRESS_RATE_LIMIT_MAX per LOGIN_ADDRESS_RATE_LIMIT_WINDOW_SECONDS), counted in MongoDB before the password is checked and given ' +
      'back when it matches; past either limit every attempt is a 429 (the same for existing and unknown accounts).',
    access: 'public',
    private: true,
    // Both count the attempt before the password is checked; the per-account one is keyed by the validated email.
    limits: { beforeValidation: ['loginPerAddress'], afterValidation: ['loginPerAccount'] },
    request: loginRequest,
    requestExample: { email: 'john.doe@example.com', password: 'password123' },
    errors: ['INVALID_CREDENTIALS'],
    responses: { 200: { description: 'A signed token', schema: loginResponse, example: { message: 'Login jwt generated', token: exampleToken } } },
  },
  {
    method: 'get',
    path: '/api/profile',
    operationId: 'profile',
    handler: (c) => c.auth.profile,
    tag: 'Auth',
    summary: "The logged-in user's profile",
    description: "The user and role are read from the database on every request: a deleted user's token stops working at once.",
    access: 'user',
    responses: { 200: { description: 'The user', schema: profileResponse, example: { message: 'user Profile', details: exampleUser } } },
  },
];
