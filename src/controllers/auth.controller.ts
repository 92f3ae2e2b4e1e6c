import type { Request, Response } from 'express';
import type { z } from 'zod';
import { currentSessionId, currentUser } from '../middleware/authenticate';
import { parsedRequest } from '../middleware/validate';
import {
  loginRequest,
  refreshRequest,
  registerRequest,
  type loginSessionResponse,
  type logoutAllResponse,
  type logoutResponse,
  type profileResponse,
  type refreshResponse,
  type registerResponse,
} from '../schemas/auth.schemas';
import type { AuthService } from '../services/auth.service';
import { objectIdOf } from '../services/session.service';

export function createAuthController(auth: AuthService) {
  return {
    register: async (_req: Request, res: Response) => {
      const { body } = parsedRequest(res, registerRequest);
      const user = await auth.register(body);
      res.status(201).json({
        message: 'Registration was successfully',
        data: { name: user.name, email: user.email, role: user.role, id: user.id },
      } satisfies z.infer<typeof registerResponse>);
    },

    // The assignment's body (message, token) first, then what sessions add.
    login: async (_req: Request, res: Response) => {
      const { body } = parsedRequest(res, loginRequest);
      const { token, expiresIn, refreshToken, refreshTokenExpiresIn } = await auth.login(body.email, body.password);
      res.json({
        message: 'Login jwt generated',
        token,
        expiresIn,
        refreshToken,
        refreshTokenExpiresIn,
      } satisfies z.infer<typeof loginSessionResponse>);
    },

    profile: (_req: Request, res: Response) => {
      res.json({ message: 'user Profile', details: currentUser(res) } satisfies z.infer<typeof profileResponse>);
    },

    refresh: async (_req: Request, res: Response) => {
      const { body } = parsedRequest(res, refreshRequest);
      const issued = await auth.sessions.refresh(body.refreshToken);
      res.json({ message: 'Token refreshed', ...issued } satisfies z.infer<typeof refreshResponse>);
    },

    logout: async (_req: Request, res: Response) => {
      await auth.sessions.endSession(objectIdOf(currentUser(res).id), currentSessionId(res));
      res.json({ message: 'Logged out' } satisfies z.infer<typeof logoutResponse>);
    },

    logoutAll: async (_req: Request, res: Response) => {
      await auth.sessions.endAll(objectIdOf(currentUser(res).id));
      res.json({ message: 'Logged out everywhere' } satisfies z.infer<typeof logoutAllResponse>);
    },
  };
}
