/**
 * Baseline for `npm run bench:http`: a bare node:http server doing the same work a minimal handler
 * must do — read the body, JSON.parse it, answer 202 with a JSON body. No signature, no validation,
 * no logging. Bundled by ./run.ts next to ./runtime-entry.ts, the same way; never shipped.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const body = JSON.stringify({ status: 'accepted', correlationId: randomUUID() });
    res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stderr.write(`${JSON.stringify({ ready: true, port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
