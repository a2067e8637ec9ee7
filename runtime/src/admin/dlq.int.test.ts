/**
 * `webhooks-admin dlq …` as a real child process against the Service Bus AMQP TEST PEER
 * (test/servicebus-peer; not Azure), through the real @azure/service-bus SDK: list, show, re-drive
 * with filter, max and dry-run, a SIGKILL half-way through a re-drive followed by a re-run, and the
 * error exits. The peer's lock duration is short so a killed run's locks expire quickly.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServiceBusTestPeer, type ServiceBusTestPeer } from '../../../test/servicebus-peer';
import { manage } from '../../../test/support/process';
import { until } from '../../../test/support/wait';

const MAIN = join(__dirname, 'main.ts');
const DLQ = 'webhooks/$DeadLetterQueue';
const HOUR_AGO = new Date(Date.now() - 3_600_000);

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function start(args: readonly string[]): { child: ReturnType<typeof spawn>; done: Promise<Run> } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = manage(child).exited.then(({ code }) => ({ code, stdout, stderr }));
  return { child, done };
}

const cli = (args: readonly string[]): Promise<Run> => start(args).done;

function seed(
  peer: ServiceBusTestPeer,
  count: number,
  reason: string,
  first = 0,
  enqueuedTime = HOUR_AGO,
): void {
  for (let i = first; i < first + count; i += 1) {
    peer.deadLetter(
      'webhooks',
      {
        body: `{"n":${i}}`,
        messageId: `github:delivery-${i}`,
        correlationId: `corr-${i}`,
        contentType: 'application/json',
        applicationProperties: { cloudEvents_type: 'webhook', tenant: i % 2 === 0 ? 'even' : 'odd' },
        enqueuedTime,
      },
      reason,
      `${reason} after 10 attempts`,
    );
  }
}

describe('webhooks-admin dlq against the Service Bus test peer', () => {
  let peer: ServiceBusTestPeer;
  let target: string[];

  beforeEach(async () => {
    peer = await startServiceBusTestPeer({
      entities: ['webhooks'],
      duplicateDetection: true,
      lockDurationMs: 1500,
    });
    target = ['--connection-string', peer.connectionString, '--queue', 'webhooks'];
  });

  afterEach(async () => {
    await peer.close();
  });

  it('lists the dead letters as JSON lines and shows one by message id and by sequence number', async () => {
    seed(peer, 3, 'MaxDeliveryCountExceeded');
    const list = await cli(['dlq', 'list', ...target]);
    expect(list.code).toBe(0);
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r.messageId, r.deadLetterReason, r.bodyBytes])).toEqual([
      ['github:delivery-0', 'MaxDeliveryCountExceeded', 7],
      ['github:delivery-1', 'MaxDeliveryCountExceeded', 7],
      ['github:delivery-2', 'MaxDeliveryCountExceeded', 7],
    ]);
    const byId = await cli(['dlq', 'show', ...target, 'github:delivery-1']);
    expect(JSON.parse(byId.stdout)).toMatchObject({ body: '{"n":1}', correlationId: 'corr-1' });
    const bySequence = await cli(['dlq', 'show', ...target, String(rows[2]?.sequenceNumber)]);
    expect(JSON.parse(bySequence.stdout)).toMatchObject({ messageId: 'github:delivery-2' });
    const missing = await cli(['dlq', 'show', ...target, 'nope']);
    expect(missing.code).toBe(3);
    expect(peer.messages(DLQ)).toHaveLength(3); // peeking changes nothing
  });

  it('re-drives with the original id, body and properties, honouring --filter and --max; --dry-run changes nothing', async () => {
    seed(peer, 4, 'MaxDeliveryCountExceeded');
    seed(peer, 2, 'poison', 4);
    const dry = await cli(['dlq', 'redrive', ...target, '--filter', 'maxdelivery', '--dry-run']);
    expect(JSON.parse(dry.stdout)).toEqual({ redriven: 4, skipped: 2, failed: 0 });
    expect(peer.received).toHaveLength(0);

    const two = await cli([
      'dlq',
      'redrive',
      ...target,
      '--filter',
      'MaxDelivery',
      '--max',
      '2',
      '--wait',
      '500',
    ]);
    expect(two.code).toBe(0);
    expect(JSON.parse(two.stdout)).toMatchObject({ redriven: 2, failed: 0 });
    expect(peer.received.map((m) => m.messageId)).toEqual(['github:delivery-0', 'github:delivery-1']);
    expect(peer.received[0]).toMatchObject({
      entity: 'webhooks',
      correlationId: 'corr-0',
      contentType: 'application/json',
      applicationProperties: {
        cloudEvents_type: 'webhook',
        tenant: 'even',
        deadLetterReason: 'MaxDeliveryCountExceeded',
        deadLetterErrorDescription: 'MaxDeliveryCountExceeded after 10 attempts',
      },
    });
    expect(peer.received[0]?.body.toString()).toBe('{"n":0}');

    const odd = await cli(['dlq', 'redrive', ...target, '--filter', 'tenant=odd', '--wait', '500']);
    expect(JSON.parse(odd.stdout)).toEqual({ redriven: 2, skipped: 2, failed: 0 });
    expect(peer.messages(DLQ).map((m) => m.record.messageId)).toEqual([
      'github:delivery-2',
      'github:delivery-4',
    ]);
    expect(peer.messages(DLQ).every((m) => m.lockedUntil === undefined)).toBe(true); // skipped ones abandoned
  });

  it('skips dead letters first sent inside the duplicate detection window (their re-send would be dropped)', async () => {
    seed(peer, 1, 'poison', 0, new Date());
    const run = await cli(['dlq', 'redrive', ...target, '--wait', '500']);
    expect(JSON.parse(run.stdout)).toEqual({ redriven: 0, skipped: 1, failed: 0 });
    const forced = await cli(['dlq', 'redrive', ...target, '--wait', '500', '--duplicate-window', '0']);
    expect(JSON.parse(forced.stdout)).toEqual({ redriven: 1, skipped: 0, failed: 0 });
  });

  it('killed half-way and run again: every dead letter is re-sent exactly once and none is lost', async () => {
    const total = 12;
    seed(peer, total, 'MaxDeliveryCountExceeded');
    const first = start(['dlq', 'redrive', ...target, '--rate', '8', '--wait', '500']);
    await peer.waitForMessages(5, 15_000);
    first.child.kill('SIGKILL'); // as soon as the 5th re-send is accepted: maybe before its dead letter is completed
    expect((await first.done).code).toBeNull();
    expect(peer.messages(DLQ).length).toBeGreaterThan(0);
    // The killed run's locks expire (as on the service) before the re-run can take those dead letters.
    await until(
      () =>
        peer.messages(DLQ).every((m) => (m.lockedUntil?.getTime() ?? 0) < Date.now()) ? true : undefined,
      10_000,
      'locks of the killed run expired',
    );
    const rerun = await cli(['dlq', 'redrive', ...target, '--wait', '500']);
    expect(rerun.code).toBe(0);
    expect(peer.messages(DLQ)).toHaveLength(0);
    const ids = peer.received.map((m) => String(m.messageId));
    expect([...ids].sort()).toEqual(Array.from({ length: total }, (_, i) => `github:delivery-${i}`).sort());
    // A dead letter re-sent but not completed before the kill was sent again and dropped as a duplicate.
    expect(peer.received).toHaveLength(total);
  });

  it('exits 3 naming the entity when the queue does not exist', async () => {
    const run = await cli(['dlq', 'list', '--connection-string', peer.connectionString, '--queue', 'typo']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/typo.*entity not found/);
  });

  it('exits 4 (not authorized) when the namespace refuses the credential', async () => {
    const wrongKey = peer.connectionString.replace(/SharedAccessKey=[^;]+/, 'SharedAccessKey=d3Jvbmc=');
    const run = await cli(['dlq', 'redrive', '--connection-string', wrongKey, '--queue', 'webhooks']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/not authorized.*Data Receiver and Data Sender/);
  });

  it('exits 2 with the usage on a wrong command line', async () => {
    const run = await cli(['dlq', 'redrive', '--queue', 'webhooks']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/exactly one of --namespace/);
  });
});
