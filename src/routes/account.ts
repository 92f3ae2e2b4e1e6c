import {
  changePasswordRequest,
  changePasswordResponse,
  forgotPasswordRequest,
  forgotPasswordResponse,
  resetPasswordRequest,
  resetPasswordResponse,
  updateProfileRequest,
  updateProfileResponse,
  verificationMailResponse,
  verifyEmailRequest,
  verifyEmailResponse,
} from '../schemas/account.schemas';
import { exampleUser } from '../openapi/examples';
import type { ApiOperation } from './operation';

const exampleMailedToken = 'Vb3cJ0q5mUO1wGk8yH2sP7eT4rN6aX9zL1dF0iQ3hKo';

export const accountRoutes: ApiOperation[] = [
  {
    method: 'patch',
    path: '/api/profile',
    operationId: 'updateProfile',
    handler: (c) => c.accounts.updateProfile,
    tag: 'Auth',
    summary: "Change the logged-in user's name",
    access: 'user',
    request: updateProfileRequest,
    requestExample: { name: 'Jane Doe' },
    responses: {
      200: {
        description: 'The profile as it now is',
        schema: updateProfileResponse,
        example: { message: 'Profile updated', details: { ...exampleUser, name: 'Jane Doe' } },
      },
    },
  },
  {
    method: 'post',
    path: '/api/profile/password',
    operationId: 'changePassword',
    handler: (c) => c.accounts.changePassword,
    tag: 'Auth',
    summary: 'Change the password (the current one is required); every other session ends',
    description:
      'The new password follows the registration rules. This session goes on; every other one ends at once, and unused reset links stop ' +
      'working. A wrong current password is 403 `WRONG_PASSWORD` and counts as a failed login of the account (LOGIN_ACCOUNT_RATE_LIMIT_MAX).',
    access: 'user',
    // A wrong current password counts as a failed login of the account (keyed by the authenticated user's email).
    limits: { afterValidation: ['passwordChange'] },
    request: changePasswordRequest,
    requestExample: { currentPassword: 'password123', newPassword: 'a-new-password-456' },
    errors: ['WRONG_PASSWORD'],
    responses: {
      200: { description: 'Changed', schema: changePasswordResponse, example: { message: 'Password changed' } },
    },
  },
  {
    method: 'post',
    path: '/api/password/forgot',
    operationId: 'forgotPassword',
    handler: (c) => c.accounts.forgotPassword,
    tag: 'Auth',
    summary: 'Ask for a password-reset mail',
    description:
      'Always 202, whether or not an account has the address, and in the same time: the request only records a mail, and whether there is ' +
      'an account to write to is found out when it is sent. The mailed link carries a single-use token valid for PASSWORD_RESET_TOKEN_EXPIRY ' +
      '(30 minutes). Limited per address (PASSWORD_FORGOT_ACCOUNT_RATE_LIMIT_MAX per hour, whether or not an account has it) and per client ' +
      '(PASSWORD_FORGOT_ADDRESS_RATE_LIMIT_MAX per hour).',
    access: 'public',
    private: true,
    // Every attempt counts per client; the per-account limit is keyed by the validated email.
    limits: { beforeValidation: ['passwordForgotPerAddress'], afterValidation: ['passwordForgotPerAccount'] },
    request: forgotPasswordRequest,
    requestExample: { email: 'john.doe@example.com' },
    responses: {
      202: {
        description: 'Recorded (the same answer for every address)',
        schema: forgotPasswordResponse,
        example: { message: 'If an account has this address, a mail with a reset link is on its way' },
      },
    },
  },
  {
    method: 'post',
    path: '/api/password/reset',
    operationId: 'resetPassword',
    handler: (c) => c.accounts.resetPassword,
    tag: 'Auth',
    summary: 'Set a new password with the token from a reset mail; every session ends',
    description:
      'The token works once, until it expires. The password follows the registration rules. Every session of the account ends.',
    access: 'public',
    private: true,
    request: resetPasswordRequest,
    requestExample: { token: exampleMailedToken, password: 'a-new-password-456' },
    errors: ['INVALID_RESET_TOKEN'],
    responses: {
      200: {
        description: 'The password is set',
        schema: resetPasswordResponse,
        example: { message: 'Password reset: log in with the new password' },
      },
    },
  },
  {
    method: 'post',
    path: '/api/email/verification',
    operationId: 'requestVerificationMail',
    handler: (c) => c.accounts.requestVerification,
    tag: 'Auth',
    summary: 'Send a new email-verification mail to the logged-in user',
    description:
      'Registration sends one already; this sends another (VERIFICATION_MAIL_RATE_LIMIT_MAX per hour per account). Its link works for ' +
      'EMAIL_VERIFICATION_TOKEN_EXPIRY (2 days).',
    access: 'user',
    // Keyed by the authenticated account (there is no body).
    limits: { beforeValidation: ['verificationMail'] },
    errors: ['EMAIL_ALREADY_VERIFIED'],
    responses: {
      202: {
        description: 'Recorded',
        schema: verificationMailResponse,
        example: { message: 'A verification mail is on its way' },
      },
    },
  },
  {
    method: 'post',
    path: '/api/email/verify',
    operationId: 'verifyEmail',
    handler: (c) => c.accounts.verifyEmail,
    tag: 'Auth',
    summary: 'Confirm the email address with the token from a verification mail',
    description:
      'Needs no login (the link may be opened on another device). With REQUIRE_VERIFIED_EMAIL_TO_ORDER=on, ordering waits for this.',
    access: 'public',
    private: true,
    request: verifyEmailRequest,
    requestExample: { token: exampleMailedToken },
    errors: ['INVALID_VERIFICATION_TOKEN'],
    responses: {
      200: { description: 'Verified', schema: verifyEmailResponse, example: { message: 'Email address verified' } },
    },
  },
];
