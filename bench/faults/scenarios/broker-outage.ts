/**
 * Scenario a: the broker dies in the middle of a steady load. A private Kafka (own ports and data,
 * test/support/path.ts `kafka: 'private'`) behind two runtimes behind NGINX; a third of the way in it
 * is SIGKILLed, left dead for `outageMs`, then started again on the same ports and data. While it is
 * gone the runtimes must answer 503 (never 202); every 202 must be on the topic afterwards.
 */
import { startPath } from '../../../test/support/path';
import {
  loadDuringFault,
  Timeline,
  loadSummary,
  type LoadScenarioOptions,
  type ScenarioReport,
} from './harness';

export interface BrokerOutageOptions extends LoadScenarioOptions {
  /** How long the broker stays dead. @default 10000 */
  readonly outageMs?: number;
}

export async function brokerOutageScenario(options: BrokerOutageOptions = {}): Promise<ScenarioReport> {
  const ratePerSecond = options.ratePerSecond ?? 200;
  const durationMs = options.durationMs ?? 30_000;
  const outageMs = options.outageMs ?? 10_000;
  const stack = await startPath({ name: 'faults-a', upstreams: 2, kafka: 'private' });
  try {
    const broker = stack.kafka;
    if (broker === undefined) throw new Error('startPath({ kafka: "private" }) returned no broker handle');
    const timeline = new Timeline(performance.now());
    const killAt = Math.round(durationMs / 3);
    // Certainly dead: from the process gone to the restart command (it may answer before the
    // restart command notices, so the window ends when the restart begins).
    const dead = { fromMs: Number.POSITIVE_INFINITY, toMs: Number.NEGATIVE_INFINITY };
    const fault = (async () => {
      await timeline.until(killAt);
      const startMs = timeline.mark('SIGKILL broker');
      await broker.stop({ kill: true });
      dead.fromMs = timeline.mark('broker dead');
      await timeline.until(startMs + outageMs);
      dead.toMs = timeline.mark('broker starting');
      await broker.start();
      const endMs = timeline.mark('broker answering metadata again');
      return { startMs, endMs };
    })();
    const { window, result, proxy, tally } = await loadDuringFault(
      stack,
      timeline,
      { ratePerSecond, durationMs },
      fault,
    );
    const acceptedDuringOutage = result.samples.filter(
      (s) => s.status === 202 && s.sentAtMs >= dead.fromMs && s.doneAtMs <= dead.toMs,
    ).length;
    return {
      scenario: 'a',
      title: `broker SIGKILLed for ${outageMs / 1000} s in the middle of the load, then restarted`,
      parameters: { ratePerSecond, durationMs, outageMs, runtimes: 2, killAtMs: killAt, topic: stack.topic },
      events: timeline.events,
      fault: window,
      load: loadSummary(result),
      tally,
      proxy,
      acceptedDuringOutage,
    };
  } finally {
    await stack.stop();
  }
}
