import type { Request, Response } from 'express';
import type { z } from 'zod';
import { currentUser } from '../middleware/authenticate';
import { parsedRequest } from '../middleware/validate';
import { loginRequest, loginResponse, profileResponse, registerRequest, registerResponse } from '../schemas/auth.schemas';
import type { AuthService } from '../services/auth.service';

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

    login: async (_req: Request, res: Response) => {
      const { body } = parsedRequest(res, loginRequest);
      const token = await auth.login(body.email, body.password);
      res.json({ message: 'Login jwt generated', token } satisfies z.infer<typeof loginResponse>);
    },

    profile: (_req: Request, res: Response) => {
      res.json({ message: 'user Profile', details: currentUser(res) } satisfies z.infer<typeof profileResponse>);
    },
  };
}
