/**
 * The accepted-vs-found arithmetic on hand-made samples: a 202 whose correlationId is not on the
 * topic is MISSING (this is what makes the fault scenarios fail), and duplicates, publishes without
 * a 202 and recovery times are counted as documented.
 */
import type { Sample } from '../../test/support/load';
import { tallySamples } from './tally';

const ok = (seq: number, doneAtMs: number, correlationId = `c-${seq}`): Sample => ({
  seq,
  dueAtMs: doneAtMs - 5,
  sentAtMs: doneAtMs - 5,
  doneAtMs,
  status: 202,
  correlationId,
});
const failed = (seq: number, doneAtMs: number, status = 503): Sample => ({
  seq,
  dueAtMs: doneAtMs - 5,
  sentAtMs: doneAtMs - 5,
  doneAtMs,
  status,
});

describe('tallySamples', () => {
  it('counts a 202 whose correlationId is not on the topic as missing, and names it', () => {
    const samples = [ok(0, 10), ok(1, 20), ok(2, 30)];
    const onTopic = new Map([
      ['c-0', 1],
      ['c-2', 1],
    ]);
    const tally = tallySamples(
      samples,
      onTopic,
      new Map([
        [0, 1],
        [2, 1],
      ]),
      2,
      { startMs: 0, endMs: 0 },
    );
    expect(tally).toMatchObject({ accepted: 3, found: 2, missing: 1 });
    expect(tally.missingExamples).toEqual([{ seq: 1, correlationId: 'c-1' }]);
  });

  it('finds nothing missing when every 202 is on the topic', () => {
    const samples = [ok(0, 10), ok(1, 20)];
    const tally = tallySamples(
      samples,
      new Map([
        ['c-0', 1],
        ['c-1', 1],
      ]),
      new Map([
        [0, 1],
        [1, 1],
      ]),
      2,
      {
        startMs: 0,
        endMs: 0,
      },
    );
    expect(tally).toMatchObject({
      accepted: 2,
      found: 2,
      missing: 0,
      duplicateCorrelationIds: 0,
      duplicateWebhooks: 0,
    });
  });

  it('counts duplicates, records published for requests that got no 202, and non-2xx by status', () => {
    const samples = [
      ok(0, 10),
      { ...failed(1, 20), from: 'proxy' as const },
      failed(2, 25, 0),
      failed(3, 26, -1),
    ];
    const tally = tallySamples(
      samples,
      new Map([
        ['c-0', 2],
        ['x-1', 1],
      ]),
      new Map([
        [0, 2],
        [1, 1],
      ]),
      3,
      { startMs: 0, endMs: 0 },
    );
    expect(tally.duplicateCorrelationIds).toBe(1);
    expect(tally.duplicateWebhooks).toBe(1);
    expect(tally.publishedWithout202).toBe(1);
    expect(tally.publishedWithout202BySource).toEqual({ '503/proxy': 1 });
    expect(tally.transportErrors).toEqual({ unknown: 1 });
    expect(tally.nonAcceptedByStatus).toEqual({ '503': 1, '0': 1, '-1': 1 });
    expect(tally.nonAcceptedBySource).toEqual({ '503/proxy': 1, '0': 1, '-1': 1 });
    expect(tally.sent).toBe(3);
  });

  it('measures recovery from the first failure to the first 202 after the fault ended', () => {
    const samples = [ok(0, 100), failed(1, 1000), failed(2, 1500), ok(3, 1800), failed(4, 2100), ok(5, 2600)];
    const tally = tallySamples(samples, new Map(), new Map(), 0, { startMs: 900, endMs: 2200 });
    expect(tally.firstFailureAtMs).toBe(1000);
    expect(tally.recoveryMs).toBe(1600);
    expect(tally.resumeAfterFaultEndMs).toBe(400);
    expect(tally.failureWindowMs).toBe(1100);
  });

  it('reports no recovery when nothing was accepted after the fault ended', () => {
    const tally = tallySamples([ok(0, 100), failed(1, 1000)], new Map([['c-0', 1]]), new Map(), 1, {
      startMs: 900,
      endMs: 1200,
    });
    expect(tally.recoveryMs).toBeNull();
    expect(tally.resumeAfterFaultEndMs).toBeNull();
  });
});
