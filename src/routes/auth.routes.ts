import { Router, type RequestHandler } from 'express';
import { createAccountController } from '../controllers/account.controller';
import { createAuthController } from '../controllers/auth.controller';
import { validate } from '../middleware/validate';
import {
  changePasswordRequest,
  forgotPasswordRequest,
  resetPasswordRequest,
  updateProfileRequest,
  verifyEmailRequest,
} from '../schemas/account.schemas';
import { loginRequest, refreshRequest, registerRequest } from '../schemas/auth.schemas';
import type { AccountLimits, AuthLimits } from '../middleware/rate-limit';
import type { AccountService } from '../services/account.service';
import type { AuthService } from '../services/auth.service';

export function authRoutes(
  auth: AuthService,
  accounts: AccountService,
  guards: { authenticate: RequestHandler; limits: AuthLimits; accountLimits: AccountLimits },
) {
  const controller = createAuthController(auth);
  const account = createAccountController(accounts);
  const router = Router();
  const { limits, accountLimits, authenticate } = guards;
  router.post('/api/registration', limits.registration, validate(registerRequest), controller.register);
  // Both login limits count the attempt before the password is checked; the per-account one needs the validated email.
  router.post('/api/login', limits.loginPerAddress, validate(loginRequest), limits.loginPerAccount, controller.login);
  router.get('/api/profile', authenticate, controller.profile);
  router.patch('/api/profile', authenticate, validate(updateProfileRequest), account.updateProfile);
  // A wrong current password counts as a failed login of the account.
  router.post('/api/profile/password', authenticate, validate(changePasswordRequest), accountLimits.passwordChange, account.changePassword);
  router.post('/api/token/refresh', validate(refreshRequest), controller.refresh);
  router.post('/api/logout', authenticate, controller.logout);
  router.post('/api/logout/all', authenticate, controller.logoutAll);
  router.post(
    '/api/password/forgot',
    accountLimits.passwordForgotPerAddress,
    validate(forgotPasswordRequest),
    accountLimits.passwordForgotPerAccount,
    account.forgotPassword,
  );
  router.post('/api/password/reset', validate(resetPasswordRequest), account.resetPassword);
  router.post('/api/email/verification', authenticate, accountLimits.verificationMail, account.requestVerification);
  router.post('/api/email/verify', validate(verifyEmailRequest), account.verifyEmail);
  return router;
}

/** The path prefixes authRoutes serves (for the app's path gate and no-store list). */
export const AUTH_PATHS = ['/api/registration', '/api/login', '/api/profile', '/api/token', '/api/logout', '/api/password', '/api/email'];
