import { Router, type RequestHandler } from 'express';
import { createAuthController } from '../controllers/auth.controller';
import { validate } from '../middleware/validate';
import { loginRequest, registerRequest } from '../schemas/auth.schemas';
import type { AuthLimits } from '../middleware/rate-limit';
import type { AuthService } from '../services/auth.service';

export function authRoutes(auth: AuthService, guards: { authenticate: RequestHandler; limits: AuthLimits }) {
  const controller = createAuthController(auth);
  const router = Router();
  const { limits } = guards;
  router.post('/api/registration', limits.registration, validate(registerRequest), controller.register);
  // Both login limits count the attempt before the password is checked; the per-account one needs the validated email.
  router.post('/api/login', limits.loginPerAddress, validate(loginRequest), limits.loginPerAccount, controller.login);
  router.get('/api/profile', guards.authenticate, controller.profile);
  return router;
}
