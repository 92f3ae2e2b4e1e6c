import type { Request, Response } from 'express';
import type { z } from 'zod';
import { currentSessionId, currentUser } from '../middleware/authenticate';
import { parsedRequest } from '../middleware/validate';
import {
  changePasswordRequest,
  forgotPasswordRequest,
  resetPasswordRequest,
  updateProfileRequest,
  verifyEmailRequest,
  type changePasswordResponse,
  type forgotPasswordResponse,
  type resetPasswordResponse,
  type updateProfileResponse,
  type verificationMailResponse,
  type verifyEmailResponse,
} from '../schemas/account.schemas';
import type { AccountService } from '../services/account.service';

export function createAccountController(accounts: AccountService) {
  return {
    updateProfile: async (_req: Request, res: Response) => {
      const { body } = parsedRequest(res, updateProfileRequest);
      const details = await accounts.updateProfile(currentUser(res).id, body);
      res.json({ message: 'Profile updated', details } satisfies z.infer<typeof updateProfileResponse>);
    },

    changePassword: async (_req: Request, res: Response) => {
      const { body } = parsedRequest(res, changePasswordRequest);
      await accounts.changePassword(currentUser(res).id, currentSessionId(res), body.currentPassword, body.newPassword);
      res.json({ message: 'Password changed' } satisfies z.infer<typeof changePasswordResponse>);
    },

    forgotPassword: async (_req: Request, res: Response) => {
      const { body } = parsedRequest(res, forgotPasswordRequest);
      await accounts.forgotPassword(body.email);
      res
        .status(202)
        .json({ message: 'If an account has this address, a mail with a reset link is on its way' } satisfies z.infer<
          typeof forgotPasswordResponse
        >);
    },

    resetPassword: async (_req: Request, res: Response) => {
      const { body } = parsedRequest(res, resetPasswordRequest);
      await accounts.resetPassword(body.token, body.password);
      res.json({ message: 'Password reset: log in with the new password' } satisfies z.infer<
        typeof resetPasswordResponse
      >);
    },

    requestVerification: async (_req: Request, res: Response) => {
      await accounts.requestVerification(currentUser(res).id);
      res
        .status(202)
        .json({ message: 'A verification mail is on its way' } satisfies z.infer<typeof verificationMailResponse>);
    },

    verifyEmail: async (_req: Request, res: Response) => {
      const { body } = parsedRequest(res, verifyEmailRequest);
      await accounts.verifyEmail(body.token);
      res.json({ message: 'Email address verified' } satisfies z.infer<typeof verifyEmailResponse>);
    },
  };
}
