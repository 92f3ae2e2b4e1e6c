import { createHook } from 'node:async_hooks';
import http from 'node:http';
import mongoose from 'mongoose';
import { buildTestApp } from './helpers/app';
import jwt from 'jsonwebtoken';
import { UserModel } from '../src/models/user.model';
import { TEST_JWT_SECRET } from './helpers/app';
(async () => {
  await mongoose.connect('mongodb://127.0.0.1:27106/count_' + Date.now());
  const user = await UserModel.create({ name: 'n', email: `c${Date.now()}@x.com`, passwordHash: 'x' });
  const token = 'Bearer ' + jwt.sign({}, TEST_JWT_SECRET, { algorithm: 'HS256', subject: user.id, expiresIn: 3600 });
  const app = buildTestApp({ env: { LOG_LEVEL: 'info', REQUEST_LOG: 'on' } });
  const server = http.createServer(app).listen(0);
  const port = (server.address() as any).port;
  const agent = new http.Agent({ keepAlive: true });
  const get = (path: string, headers = {}) => new Promise<void>((r) => http.get({ port, path, agent, headers }, (res) => { res.resume(); res.on('end', () => r()); }));
  for (let i = 0; i < 30; i++) { await get(process.argv[2]!, { authorization: token }); }
  const counts = new Map<string, number>();
  let on = false;
  Error.stackTraceLimit = 30;
  const hook = createHook({ init(_id, type) { if (!on || type !== 'PROMISE') return; on = false; const st = (new Error().stack ?? '').split('\n').slice(2).map((l) => l.trim()).filter((l) => !l.includes('node:internal') && !l.includes('async_hooks')); const m = st.find((l) => /node_modules|\/src\/|\/tests\//.test(l)) ?? st[0] ?? '?'; const key = m.replace(/^at /, '').replace(/\(?\/work\/wt\/perf\/(node_modules\/)?/, '').replace(/:\d+\)?$/, ''); counts.set(key, (counts.get(key) ?? 0) + 1); on = true; } }).enable();
  on = true;
  for (let i = 0; i < 20; i++) await get(process.argv[2]!, { authorization: token });
  on = false;
  [...counts].sort((a, b) => b[1] - a[1]).slice(0, 40).forEach(([k, v]) => console.log((v / 20).toFixed(1).padStart(5), k));
  hook.disable(); server.close(); agent.destroy(); await mongoose.connection.dropDatabase(); await mongoose.disconnect();
})();
