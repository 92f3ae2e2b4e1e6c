// Times POST requests from a process of its own, so that the server's work after an answer (a mail worker woken by
// the request, say) cannot hold up the reading of that answer the way it would in a client sharing the server's
// event loop. Reads {port, path, bodies: [...]} as JSON on stdin, sends the bodies one after another over one
// keep-alive connection, and prints [{ms, status, body}] as JSON on stdout.
'use strict';
const http = require('node:http');
const { performance } = require('node:perf_hooks');

function post(agent, port, path, body) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ ms: performance.now() - started, status: res.statusCode, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const { port, path, bodies } = JSON.parse(Buffer.concat(chunks).toString());
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const answers = [];
  for (const body of bodies) answers.push(await post(agent, port, path, body));
  agent.destroy();
  process.stdout.write(JSON.stringify(answers));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
