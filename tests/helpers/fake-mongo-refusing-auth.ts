import { createServer, type Socket } from 'node:net';
import mongoose from 'mongoose';

const { BSON } = mongoose.mongo;

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

/**
 * FAKE: a MongoDB that answers the handshake and refuses every login with 18 AuthenticationFailed, exactly
 * as mongod does for a wrong password. It stands in for an access-controlled mongod, which cannot run here
 * (no mongod binary; the in-memory stand-in has no authentication at all). It speaks just enough of the
 * wire protocol for the real driver: the legacy OP_QUERY hello and OP_MSG commands.
 */
export async function startMongoRefusingAuth(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const length = pending.readInt32LE(0);
        const reply = answer(pending.subarray(0, length));
        pending = pending.subarray(length);
        if (reply) socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function respond(command: Record<string, unknown>): Record<string, unknown> {
  const name = Object.keys(command)[0]?.toLowerCase();
  if (name === 'hello' || name === 'ismaster') {
    return {
      isWritablePrimary: true,
      ismaster: true,
      helloOk: true,
      maxBsonObjectSize: 16 * 1024 * 1024,
      maxMessageSizeBytes: 48_000_000,
      maxWriteBatchSize: 100_000,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId: 1,
      minWireVersion: 0,
      maxWireVersion: 17,
      readOnly: false,
      saslSupportedMechs: ['SCRAM-SHA-256'],
      ok: 1,
    };
  }
  if (name === 'saslstart' || name === 'saslcontinue' || name === 'authenticate') {
    return { ok: 0, errmsg: 'Authentication failed.', code: 18, codeName: 'AuthenticationFailed' };
  }
  if (name === 'ping' || name === 'endsessions') return { ok: 1 };
  return { ok: 0, errmsg: 'command requires authentication', code: 13, codeName: 'Unauthorized' };
}

function answer(message: Buffer): Buffer | undefined {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  if (opCode === OP_QUERY) {
    // flags, full collection name (cstring), numberToSkip, numberToReturn, query document
    const nameEnd = message.indexOf(0, 20);
    const query = BSON.deserialize(message.subarray(nameEnd + 9));
    const body = Buffer.from(BSON.serialize(respond(query)));
    const head = Buffer.alloc(36);
    head.writeInt32LE(36 + body.length, 0);
    head.writeInt32LE(requestId, 8);
    head.writeInt32LE(OP_REPLY, 12);
    head.writeInt32LE(1, 32); // responseFlags 0, cursorId 0, startingFrom 0, numberReturned 1
    return Buffer.concat([head, body]);
  }
  if (opCode === OP_MSG) {
    // flagBits, then the kind-0 section holding the command document
    const command = BSON.deserialize(message.subarray(21, 21 + message.readInt32LE(21)));
    const body = Buffer.from(BSON.serialize(respond(command)));
    const head = Buffer.alloc(21);
    head.writeInt32LE(21 + body.length, 0);
    head.writeInt32LE(requestId, 8);
    head.writeInt32LE(OP_MSG, 12);
    return Buffer.concat([head, body]);
  }
  return undefined;
}
