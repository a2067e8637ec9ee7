// Readiness probe for kafka.sh: exit 0 when a Metadata request to the broker (argv[2], host:port)
// answers and lists at least one broker, exit 1 otherwise. Quiet: kafkajs logging is off.
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const broker = process.argv[2];
if (!broker) {
  process.stderr.write('usage: node probe.cjs host:port\n');
  process.exit(2);
}
const admin = new Kafka({
  clientId: 'kafka-sh-probe',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 2000,
  requestTimeout: 3000,
  retry: { retries: 0 },
}).admin();

admin
  .connect()
  .then(() => admin.describeCluster())
  .then((cluster) => (cluster.brokers.length > 0 ? 0 : 1))
  .catch(() => 1)
  .then(async (code) => {
    await admin.disconnect().catch(() => undefined);
    process.exit(code);
  });
