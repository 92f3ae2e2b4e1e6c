import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { ensureAdmin } from '../../src/services/admin.service';

const unique = () => randomBytes(5).toString('hex');

export function buildUser(overrides: Partial<{ name: string; email: string; password: string }> = {}) {
  return { name: 'John Doe', email: `john.${unique()}@example.com`, password: 'password123', ...overrides };
}

/** Registers a fresh user through the API and returns its login token ("Bearer <jwt>") and details. */
export async function registerAndLogin(app: Express, overrides: Parameters<typeof buildUser>[0] = {}) {
  const user = buildUser(overrides);
  const registered = await request(app).post('/api/registration').send(user).expect(201);
  const login = await request(app).post('/api/login').send({ email: user.email, password: user.password }).expect(200);
  return { ...user, id: registered.body.data.id as string, token: login.body.token as string };
}

/** An admin made the way the server bootstraps one, then logged in through the API. */
export async function adminToken(app: Express): Promise<string> {
  const account = { email: `admin.${unique()}@example.com`, password: 'admin-password-1', name: 'Admin' };
  await ensureAdmin(account, { bcryptCost: 4, resetPassword: false });
  const login = await request(app)
    .post('/api/login')
    .send({ email: account.email, password: account.password })
    .expect(200);
  return login.body.token as string;
}

export function buildProduct(overrides: Record<string, unknown> = {}) {
  return {
    name: `Wireless Mouse ${unique()}`,
    description: 'A high-precision wireless mouse.',
    price: 25.99,
    currency: 'USD',
    stock: 100,
    ...overrides,
  };
}

/** Creates a product through the admin API and returns its view. */
export async function createProduct(app: Express, token: string, overrides: Record<string, unknown> = {}) {
  const res = await request(app)
    .post('/api/products')
    .set('Authorization', token)
    .send(buildProduct(overrides))
    .expect(201);
  return res.body.data as {
    id: string;
    name: string;
    price: number;
    currency: string;
    stock: number;
    createdAt: string;
  };
}

/** Creates an order through the API as the given user; returns the create response body. */
export async function createOrder(app: Express, token: string, items: Array<{ productId: string; quantity: number }>) {
  const res = await request(app).post('/api/orders/create').set('Authorization', token).send({ items }).expect(201);
  return res.body as {
    orderId: string;
    clientSecret: string;
    data: { id: string; paymentIntentId: string; amount: number; currency: string; status: string };
  };
}

export async function getOrder(app: Express, token: string, id: string) {
  const res = await request(app).get(`/api/orders/${id}`).set('Authorization', token).expect(200);
  return res.body.data as {
    id: string;
    status: string;
    paymentIntentId: string;
    amount: number;
    currency: string;
    refundedAmount: number;
    history: Array<{ status: string; reason: string; eventId?: string }>;
    items: Array<{ productId: string; quantity: number; unitPrice: number; lineTotal: number; name: string }>;
  };
}
