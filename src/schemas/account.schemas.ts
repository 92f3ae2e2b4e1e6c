import { z } from 'zod';
import { boundedText, requiredOr } from './common.schemas';
import { email, password, userView } from './auth.schemas';

const TOKEN_MESSAGE = 'Must be the token from the link in the mail';
const mailedToken = z
  .string({ error: requiredOr(TOKEN_MESSAGE) })
  .min(1, TOKEN_MESSAGE)
  .max(512, TOKEN_MESSAGE);

export const updateProfileRequest = { body: z.object({ name: boundedText(1, 100) }) };
export const updateProfileResponse = z.object({ message: z.literal('Profile updated'), details: userView });

export const changePasswordRequest = {
  body: z.object({
    // Not the registration policy: the current password is only compared.
    currentPassword: boundedText(1, 1024, { trim: false }),
    newPassword: password,
  }),
};
export const changePasswordResponse = z.object({ message: z.literal('Password changed') });

export const forgotPasswordRequest = { body: z.object({ email }) };
export const forgotPasswordResponse = z.object({
  message: z.literal('If an account has this address, a mail with a reset link is on its way'),
});

export const resetPasswordRequest = { body: z.object({ token: mailedToken, password }) };
export const resetPasswordResponse = z.object({ message: z.literal('Password reset: log in with the new password') });

export const verificationMailResponse = z.object({ message: z.literal('A verification mail is on its way') });
export const verifyEmailRequest = { body: z.object({ token: mailedToken }) };
export const verifyEmailResponse = z.object({ message: z.literal('Email address verified') });
