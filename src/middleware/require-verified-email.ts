import type { NextFunction, Request, Response } from 'express';
import type { AccountService } from '../services/account.service';
import { currentUser } from './authenticate';

/**
 * The `verifiedEmail` guard (REQUIRE_VERIFIED_EMAIL_TO_ORDER): 403 EMAIL_NOT_VERIFIED for an account whose address
 * is not verified yet. One more read of the user, only on the operations that name the guard and only when the
 * setting is on (the router leaves the guard out otherwise).
 */
export function requireVerifiedEmail(accounts: Pick<AccountService, 'requireVerifiedEmail'>) {
  return async (_req: Request, res: Response, next: NextFunction) => {
    await accounts.requireVerifiedEmail(currentUser(res).id);
    next();
  };
}
