import { Router, type RequestHandler } from 'express';
import { createAuthController } from '../controllers/auth.controller';
import { validate } from '../middleware/validate';
import { loginRequest, registerRequest } from '../schemas/auth.schemas';
import type { AuthService } from '../services/auth.service';

export function authRoutes(auth: AuthService, guards: { authenticate: RequestHandler; authLimit: RequestHandler }) {
  const controller = createAuthController(auth);
  const router = Router();
  router.post('/registration', guards.authLimit, validate(registerRequest), controller.register);
  router.post('/login', guards.authLimit, validate(loginRequest), controller.login);
  router.get('/profile', guards.authenticate, controller.profile);
  return router;
}
