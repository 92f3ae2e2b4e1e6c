import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { AdminGuardModel } from '../../src/models/admin-guard.model';
import { AuditEntryModel } from '../../src/models/audit-entry.model';
import { UserModel } from '../../src/models/user.model';
import { ensureAdmin } from '../../src/services/admin.service';
import { createAdminUserService } from '../../src/services/admin-user.service';
import { buildTestApp } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

useTestDatabase();
const app = buildTestApp();

interface Account {
  id: string;
  email: string;
  password: string;
  token: string;
}

async function login(target: Express, account: { email: string; password: string }) {
  return (
    await request(target).post('/api/login').send({ email: account.email, password: account.password }).expect(200)
  ).body.token as string;
}

async function newUser(overrides: Parameters<typeof buildUser>[0] = {}, target: Express = app): Promise<Account> {
  const user = buildUser(overrides);
  const res = await request(target).post('/api/registration').send(user).expect(201);
  return {
    id: res.body.data.id as string,
    email: user.email,
    password: user.password,
    token: await login(target, user),
  };
}

async function newAdmin(target: Express = app): Promise<Account> {
  const account = {
    email: `admin.${randomBytes(4).toString('hex')}@example.com`,
    password: 'admin-password-1',
    name: 'Admin',
  };
  const { id } = await ensureAdmin(account, { bcryptCost: 4, resetPassword: false });
  return { id, email: account.email, password: account.password, token: await login(target, account) };
}

const patch = (target: Express, token: string, id: string, body: unknown, requestId?: string) => {
  const req = request(target).patch(`/api/admin/users/${id}`).set('Authorization', token);
  if (requestId) req.set('X-Request-Id', requestId);
  return req.send(body as object);
};
const list = (token: string, query = '') => request(app).get(`/api/admin/users${query}`).set('Authorization', token);
const activeAdmins = () => UserModel.countDocuments({ role: 'admin', disabled: { $ne: true } });

describe('GET /api/admin/users', () => {
  it('when an admin pages through in email order, then every account comes once, by keyset pages, with its view', async () => {
    const admin = await newAdmin();
    const users = [];
    for (const name of ['carol', 'alice', 'erin', 'bob', 'dave'])
      users.push(await newUser({ email: `${name}@list.example.com`, name }));

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=2&role=user${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await list(admin.token, query).expect(200);
      seen.push(...res.body.data.map((user: { email: string }) => user.email));
      cursor = res.body.pagination.nextCursor as string | null;
      pages += 1;
    } while (cursor);

    expect(seen).toEqual([
      'alice@list.example.com',
      'bob@list.example.com',
      'carol@list.example.com',
      'dave@list.example.com',
      'erin@list.example.com',
    ]);
    expect(pages).toBe(3);
    const first = (await list(admin.token, '?email=alice').expect(200)).body;
    expect(first).toEqual({
      message: 'User list',
      data: [
        {
          id: users[1]!.id,
          name: 'alice',
          email: 'alice@list.example.com',
          role: 'user',
          disabled: false,
          emailVerified: false,
          activeSessions: 1,
          createdAt: expect.stringMatching(/Z$/),
        },
      ],
      pagination: { limit: 20, nextCursor: null },
    });
  });

  it('when filtered by role, disabled and an email prefix, then only matching accounts come, the prefix read literally', async () => {
    const admin = await newAdmin();
    await newUser({ email: 'a.b@filter.example.com' });
    const off = await newUser({ email: 'axb@filter.example.com' });
    await patch(app, admin.token, off.id, { disabled: true }).expect(200);

    const byPrefix = (await list(admin.token, '?email=A.B').expect(200)).body.data.map(
      (u: { email: string }) => u.email,
    );
    const disabled = (await list(admin.token, '?disabled=true').expect(200)).body.data.map(
      (u: { email: string }) => u.email,
    );
    const admins = (await list(admin.token, '?role=admin&disabled=false').expect(200)).body.data.map(
      (u: { email: string }) => u.email,
    );

    expect(byPrefix).toEqual(['a.b@filter.example.com']);
    expect(disabled).toEqual(['axb@filter.example.com']);
    expect(admins).toEqual([admin.email]);
  });

  it.each([
    ['an unknown parameter', '?sort=email'],
    ['a repeated parameter', '?role=user&role=admin'],
    ['a bad role', '?role=root'],
    ['a bad disabled flag', '?disabled=yes'],
    ['a limit of 0', '?limit=0'],
  ])('when the query has %s, then it answers 400', async (_label, query) => {
    const admin = await newAdmin();

    expect((await list(admin.token, query)).status).toBe(400);
  });

  it('when a cursor is reused with other filters, then it answers 400 INVALID_CURSOR', async () => {
    const admin = await newAdmin();
    await newUser();
    await newUser();
    const { nextCursor } = (await list(admin.token, '?limit=1').expect(200)).body.pagination;

    const res = await list(admin.token, `?limit=1&role=user&cursor=${nextCursor}`);

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_CURSOR');
  });

  it('when a buyer or nobody asks, then it answers 403 or 401', async () => {
    const buyer = await newUser();

    expect((await list(buyer.token)).status).toBe(403);
    expect((await request(app).get('/api/admin/users')).status).toBe(401);
  });
});

describe('PATCH /api/admin/users/{id}', () => {
  it('when a buyer is promoted, then the token it already has acts as an admin on its very next request', async () => {
    const admin = await newAdmin();
    const buyer = await newUser();
    await list(buyer.token).expect(403);

    const res = await patch(app, admin.token, buyer.id, { role: 'admin' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'User updated',
      data: expect.objectContaining({ id: buyer.id, role: 'admin', disabled: false, activeSessions: 1 }),
    });
    await list(buyer.token).expect(200);
  });

  it('when an admin is demoted, then its sessions end at once and a new login is a buyer', async () => {
    const admin = await newAdmin();
    const other = await newAdmin();

    await patch(app, admin.token, other.id, { role: 'user' }).expect(200);

    await request(app).get('/api/profile').set('Authorization', other.token).expect(401);
    const again = await login(app, other);
    expect((await list(again)).status).toBe(403);
  });

  it('when an account is disabled, then every session ends, login is refused, and enabling lets it log in again', async () => {
    const admin = await newAdmin();
    const buyer = await newUser();
    const secondSession = await login(app, buyer);

    const res = await patch(app, admin.token, buyer.id, { disabled: true });

    expect(res.body.data).toMatchObject({ disabled: true, activeSessions: 0 });
    for (const token of [buyer.token, secondSession])
      await request(app).get('/api/profile').set('Authorization', token).expect(401);
    expect(
      (await request(app).post('/api/login').send({ email: buyer.email, password: buyer.password })).body.code,
    ).toBe('ACCOUNT_DISABLED');
    await patch(app, admin.token, buyer.id, { disabled: false }).expect(200);
    await login(app, buyer);
  });

  it('when the only active admin would be demoted or disabled, then it answers 409 LAST_ADMIN and nothing changes', async () => {
    const admin = await newAdmin();
    const disabledAdmin = await newAdmin();
    await patch(app, admin.token, disabledAdmin.id, { disabled: true }).expect(200);

    const demote = await patch(app, admin.token, admin.id, { role: 'user' });
    const disable = await patch(app, admin.token, admin.id, { disabled: true });

    expect([demote.status, disable.status]).toEqual([409, 409]);
    expect(demote.body.code).toBe('LAST_ADMIN');
    expect(await activeAdmins()).toBe(1);
    await list(admin.token).expect(200);
    await patch(app, admin.token, disabledAdmin.id, { disabled: false }).expect(200);
    await patch(app, admin.token, admin.id, { role: 'user' }).expect(200); // now there is another
    expect(await activeAdmins()).toBe(1);
  });

  it('when two admins demote each other at the same moment, on two instances, many times over, then one admin always remains', async () => {
    const other = buildTestApp();
    for (let round = 0; round < 8; round += 1) {
      await UserModel.deleteMany({ role: 'admin' });
      const alice = await newAdmin(app);
      const bob = await newAdmin(other);
      const auditBefore = await AuditEntryModel.countDocuments();

      const [byAlice, byBob] = await Promise.all([
        patch(app, alice.token, bob.id, { role: 'user' }),
        patch(other, bob.token, alice.id, { role: 'user' }),
      ]);

      const statuses = [byAlice.status, byBob.status].sort();
      expect(statuses[0]).toBe(200);
      expect([401, 403, 409]).toContain(statuses[1]);
      expect(await activeAdmins()).toBe(1);
      expect(await AuditEntryModel.countDocuments()).toBe(auditBefore + 1);
    }
  });

  it('when three admins each disable the next at once, then at least one active admin remains and each applied change is audited', async () => {
    await UserModel.deleteMany({ role: 'admin' });
    const admins = [await newAdmin(), await newAdmin(), await newAdmin()];

    const answers = await Promise.all(
      admins.map((admin, i) => patch(app, admin.token, admins[(i + 1) % 3]!.id, { disabled: true })),
    );

    const applied = answers.filter((res) => res.status === 200).length;
    expect(applied).toBeGreaterThanOrEqual(1);
    expect(applied).toBeLessThanOrEqual(2);
    expect(await activeAdmins()).toBe(3 - applied);
    expect(await AuditEntryModel.countDocuments()).toBe(applied);
  });

  it('when the change is no change, then it answers 200 and records nothing', async () => {
    const admin = await newAdmin();
    const buyer = await newUser();

    await patch(app, admin.token, buyer.id, { role: 'user', disabled: false }).expect(200);

    expect(await AuditEntryModel.countDocuments()).toBe(0);
    await request(app).get('/api/profile').set('Authorization', buyer.token).expect(200);
  });

  it.each([
    ['an empty body', {}],
    ['an unknown field', { role: 'user', email: 'x@example.com' }],
    ['a bad role', { role: 'root' }],
    ['a string for disabled', { disabled: 'true' }],
  ])('when the body has %s, then it answers 400', async (_label, body) => {
    const admin = await newAdmin();
    const buyer = await newUser();

    const res = await patch(app, admin.token, buyer.id, body);

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
  });

  it('when the account does not exist or the id is malformed, then it answers 404 USER_NOT_FOUND or 400', async () => {
    const admin = await newAdmin();

    const missing = await patch(app, admin.token, new Types.ObjectId().toHexString(), { disabled: true });
    const malformed = await patch(app, admin.token, 'not-an-id', { disabled: true });

    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('USER_NOT_FOUND');
    expect(malformed.status).toBe(400);
  });

  it('when a buyer tries, then it answers 403 and nothing changes', async () => {
    const buyer = await newUser();
    const victim = await newUser();

    expect((await patch(app, buyer.token, victim.id, { disabled: true })).status).toBe(403);
    expect((await UserModel.findById(victim.id).lean())?.disabled).toBe(false);
  });

  it('when a decided change was left half-applied by a crash, then the next decision finishes it first, once', async () => {
    const admin = await newAdmin();
    const buyer = await newUser();
    const other = await newUser();
    await patch(app, admin.token, other.id, { disabled: true }).expect(200); // makes the guard document
    const { seq } = await AdminGuardModel.findById('account-role-changes').lean().orFail();
    // What a crash right after step 3 (the decision) leaves: the change recorded as pending, nothing applied.
    await AdminGuardModel.updateOne(
      { _id: 'account-role-changes' },
      {
        $set: { seq: seq + 1 },
        $push: {
          pending: {
            seq: seq + 1,
            userId: new Types.ObjectId(buyer.id),
            set: { disabled: true },
            endSessions: true,
            audit: {
              at: new Date(),
              action: 'user.updated',
              actor: { id: new Types.ObjectId(admin.id), email: admin.email },
              target: { id: new Types.ObjectId(buyer.id), email: buyer.email },
              changes: { disabled: { from: false, to: true } },
              requestId: 'crashed-request',
            },
          },
        },
      },
    );
    await request(app).get('/api/profile').set('Authorization', buyer.token).expect(200);

    await patch(app, admin.token, other.id, { disabled: false }).expect(200);
    await createAdminUserService({ clock: () => new Date() }).finishPending(); // as a restart does: nothing left

    await request(app).get('/api/profile').set('Authorization', buyer.token).expect(401);
    expect((await UserModel.findById(buyer.id).lean())?.disabled).toBe(true);
    expect(await AuditEntryModel.countDocuments({ requestId: 'crashed-request' })).toBe(1);
    expect((await AdminGuardModel.findById('account-role-changes').lean())?.pending).toEqual([]);
  });
});

describe('GET /api/admin/audit', () => {
  it('when admins change accounts, then each change is listed newest first with who, what and the request id, filterable and paged', async () => {
    const admin = await newAdmin();
    const buyer = await newUser();
    const other = await newUser();
    await patch(app, admin.token, buyer.id, { role: 'admin' }, 'req-promote').expect(200);
    await patch(app, admin.token, buyer.id, { role: 'user', disabled: true }, 'req-demote').expect(200);
    await patch(app, admin.token, other.id, { disabled: true }, 'req-other').expect(200);

    const all = await request(app).get('/api/admin/audit?limit=2').set('Authorization', admin.token).expect(200);
    const rest = await request(app)
      .get(`/api/admin/audit?limit=2&cursor=${all.body.pagination.nextCursor}`)
      .set('Authorization', admin.token)
      .expect(200);
    const forBuyer = await request(app)
      .get(`/api/admin/audit?targetId=${buyer.id}`)
      .set('Authorization', admin.token)
      .expect(200);

    expect([...all.body.data, ...rest.body.data].map((entry: { requestId: string }) => entry.requestId)).toEqual([
      'req-other',
      'req-demote',
      'req-promote',
    ]);
    expect(rest.body.pagination.nextCursor).toBeNull();
    expect(forBuyer.body.data).toEqual([
      {
        id: expect.stringMatching(/^[a-f\d]{24}$/),
        at: expect.stringMatching(/Z$/),
        action: 'user.updated',
        actor: { id: admin.id, email: admin.email },
        target: { id: buyer.id, email: buyer.email },
        changes: { role: { from: 'admin', to: 'user' }, disabled: { from: false, to: true } },
        requestId: 'req-demote',
      },
      expect.objectContaining({ changes: { role: { from: 'user', to: 'admin' } }, requestId: 'req-promote' }),
    ]);
    const byActor = await request(app)
      .get(`/api/admin/audit?actorId=${admin.id}`)
      .set('Authorization', admin.token)
      .expect(200);
    expect(byActor.body.data).toHaveLength(3);
  });

  it('when a buyer asks, or the filters are wrong, then it answers 403 or 400', async () => {
    const admin = await newAdmin();
    const buyer = await newUser();

    expect((await request(app).get('/api/admin/audit').set('Authorization', buyer.token)).status).toBe(403);
    expect((await request(app).get('/api/admin/audit?targetId=xyz').set('Authorization', admin.token)).status).toBe(
      400,
    );
    const both = `?targetId=${buyer.id}&actorId=${admin.id}`;
    expect((await request(app).get(`/api/admin/audit${both}`).set('Authorization', admin.token)).status).toBe(400);
  });
});
