// Free TCP ports for kafka.sh: prints argv[2] (default 1) distinct ports the OS assigns on
// 127.0.0.1, space-separated. All are held open together until printed, so they differ.
'use strict';
const { createServer } = require('node:net');

const count = Number(process.argv[2] ?? '1');
if (!Number.isInteger(count) || count < 1 || count > 16) {
  process.stderr.write('usage: node free-ports.cjs [count 1-16]\n');
  process.exit(2);
}

/** @returns {Promise<import('node:net').Server>} */
const listen = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });

Promise.all(Array.from({ length: count }, listen)).then(
  async (servers) => {
    const ports = servers.map((s) => /** @type {import('node:net').AddressInfo} */ (s.address()).port);
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    process.stdout.write(`${ports.join(' ')}\n`);
  },
  (err) => {
    process.stderr.write(`free-ports: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
