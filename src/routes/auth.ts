import {
  loginRequest,
  loginSessionResponse,
  logoutAllResponse,
  logoutResponse,
  profileResponse,
  refreshRequest,
  refreshResponse,
  registerRequest,
  registerResponse,
} from '../schemas/auth.schemas';
import { exampleUser } from '../openapi/examples';
import type { ApiOperation } from './operation';

const exampleToken =
  'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NjVmMWMyZThiM2E0ZDAwMTJhYjM0Y2QifQ.c2lnbmF0dXJl';
const exampleSession = {
  token: exampleToken,
  expiresIn: 86_400,
  refreshToken: 'q4Xw1bXb0lS8m1B1r0yY3sJ6o2cH8n5tK9dP7fE4aZc',
  refreshTokenExpiresIn: 2_592_000,
};

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
      'back when it matches; past either limit every attempt is a 429 (the same for existing and unknown accounts). Each login starts a ' +
      'session: the token (an access token of `expiresIn` seconds) and a `refreshToken` that POST /api/token/refresh exchanges for new ' +
      'ones. A disabled account gets 403 `ACCOUNT_DISABLED`, only with its right password.',
    access: 'public',
    private: true,
    // Both count the attempt before the password is checked; the per-account one is keyed by the validated email.
    limits: { beforeValidation: ['loginPerAddress'], afterValidation: ['loginPerAccount'] },
    request: loginRequest,
    requestExample: { email: 'john.doe@example.com', password: 'password123' },
    errors: ['INVALID_CREDENTIALS', 'ACCOUNT_DISABLED'],
    responses: {
      200: {
        description: 'A signed token and a refresh token',
        schema: loginSessionResponse,
        example: { message: 'Login jwt generated', ...exampleSession },
      },
    },
  },
  {
    method: 'get',
    path: '/api/profile',
    operationId: 'profile',
    handler: (c) => c.auth.profile,
    tag: 'Auth',
    summary: "The logged-in user's profile",
    description:
      "The user and role are read from the database on every request, with the token's session: a deleted user's token, and the token of a " +
      'session that has ended (logout, a password change or reset, an admin disabling or demoting the account), stop working at once.',
    access: 'user',
    responses: {
      200: {
        description: 'The user',
        schema: profileResponse,
        example: { message: 'user Profile', details: exampleUser },
      },
    },
  },
  {
    method: 'post',
    path: '/api/token/refresh',
    operationId: 'refreshToken',
    handler: (c) => c.auth.refresh,
    tag: 'Auth',
    summary: 'Exchange a refresh token for a new access token and refresh token',
    description:
      'Rotation: the refresh token is spent, and the answer carries a new one of the same session. A refresh token presented a second ' +
      'time ends its whole session (401 `REFRESH_TOKEN_REUSED`, logged): one of two parties holds a copy, and neither can tell which. ' +
      'An unknown or expired token, or one whose session has ended, is 401 `INVALID_REFRESH_TOKEN`.',
    access: 'public',
    // Tokens in, tokens out.
    private: true,
    request: refreshRequest,
    requestExample: { refreshToken: exampleSession.refreshToken },
    errors: ['INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED'],
    responses: {
      200: {
        description: 'New tokens',
        schema: refreshResponse,
        example: { message: 'Token refreshed', ...exampleSession },
      },
    },
  },
  {
    method: 'post',
    path: '/api/logout',
    operationId: 'logout',
    handler: (c) => c.auth.logout,
    tag: 'Auth',
    summary: "End this token's session",
    description:
      'Its access token stops working on the next request, on every instance, and its refresh token is revoked. Other sessions go on.',
    access: 'user',
    responses: { 200: { description: 'Logged out', schema: logoutResponse, example: { message: 'Logged out' } } },
  },
  {
    method: 'post',
    path: '/api/logout/all',
    operationId: 'logoutAll',
    handler: (c) => c.auth.logoutAll,
    tag: 'Auth',
    summary: 'End every session of the account (this one too)',
    access: 'user',
    responses: {
      200: {
        description: 'Logged out everywhere',
        schema: logoutAllResponse,
        example: { message: 'Logged out everywhere' },
      },
    },
  },
];
