import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

interface ConnectionState {
  /** Requests received on this connection whose response has not finished. */
  active: number;
  /** When the connection last became idle (opened, or its last response finished). */
  idleSince: number;
}

export interface ConnectionDrain {
  /**
   * Stops accepting connections, answers every request already received (each response says
   * `Connection: close`), closes each connection once it has been idle for `idleGraceMs`, and resolves
   * when the last connection is gone.
   */
  drain(idleGraceMs: number): Promise<void>;
}

/**
 * Keeps track of an HTTP server's connections so that shutdown can drain keep-alive clients without
 * resetting a request. The order is what matters:
 * 1. stop listening (after accepting what the kernel has already queued), with net.Server#close: since Node 19 http.Server#close also destroys every connection
 *    idle at that instant, and a connection whose next request is still in the kernel's buffer looks idle,
 *    so that request would be reset;
 * 2. `Connection: close` on every response from then on (and on those still being prepared), so a client
 *    never sends another request on the connection and opens a new one, which is refused;
 * 3. close a connection only once it has been idle for a grace period: a keep-alive client in the middle of
 *    its work sends its next request within milliseconds and gets step 2 instead.
 */
export function trackConnections(server: Server): ConnectionDrain {
  const connections = new Map<Socket, ConnectionState>();
  const unanswered = new Set<ServerResponse>();
  let draining = false;
  let accepted = 0;

  server.on('connection', (socket: Socket) => {
    accepted += 1;
    connections.set(socket, { active: 0, idleSince: Date.now() });
    socket.once('close', () => connections.delete(socket));
  });
  // Prepended: runs before the app, which may answer synchronously.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const state = connections.get(req.socket);
    if (state) state.active += 1;
    unanswered.add(res);
    if (draining) res.setHeader('Connection', 'close');
    res.on('close', () => {
      unanswered.delete(res);
      if (state) {
        state.active -= 1;
        state.idleSince = Date.now();
      }
    });
  });

  /**
   * Connections the kernel has completed (the client may already have sent its request) but Node has not
   * accepted yet are reset when the listening socket closes, and under load Node accepts about one per
   * event-loop turn. So keep accepting until a whole poll phase accepts nothing (or `maxMs` has passed).
   */
  async function acceptQueued(maxMs: number) {
    const until = Date.now() + maxMs;
    for (;;) {
      const before = accepted;
      // A setImmediate scheduled from a setImmediate runs one loop iteration later: a poll phase lies between.
      await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
      if (accepted === before || Date.now() >= until) return;
    }
  }

  return {
    async drain(idleGraceMs) {
      await acceptQueued(Math.max(100, Math.min(1000, idleGraceMs)));
      draining = true;
      for (const res of unanswered) if (!res.headersSent) res.setHeader('Connection', 'close');
      return new Promise<void>((resolve) => {
        const closeIdle = () => {
          const now = Date.now();
          for (const [socket, state] of connections) {
            if (state.active === 0 && now - state.idleSince >= idleGraceMs) socket.destroy();
          }
        };
        const timer = setInterval(closeIdle, Math.min(100, Math.max(10, Math.floor(idleGraceMs / 4))));
        NetServer.prototype.close.call(server, () => {
          clearInterval(timer);
          resolve();
        });
        closeIdle();
      });
    },
  };
}
