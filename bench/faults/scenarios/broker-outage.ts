/**
 * Scenario a: the broker dies in the middle of a steady load. A private Kafka (own ports and data,
 * test/support/path.ts `kafka: 'private'`) behind two runtimes behind NGINX; a third of the way in it
 * is SIGKILLed, left dead for `outageMs`, then started again on the same ports and data. While it is
 * gone the runtimes must answer 503 (never 202); every 202 must be on the topic afterwards.
 */
import { runFaultScenario, type LoadScenarioOptions, type ScenarioReport } from './harness';

export interface BrokerOutageOptions extends LoadScenarioOptions {
  /** How long the broker stays dead. @default 10000 */
  readonly outageMs?: number;
}

export function brokerOutageScenario(options: BrokerOutageOptions = {}): Promise<ScenarioReport> {
  const outageMs = options.outageMs ?? 10_000;
  return runFaultScenario('a', options, { kafka: 'private' }, ({ stack, timeline, durationMs }) => {
    const broker = stack.kafka;
    if (broker === undefined) throw new Error('startPath({ kafka: "private" }) returned no broker handle');
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
    return {
      title: `broker SIGKILLed for ${outageMs / 1000} s in the middle of the load, then restarted`,
      parameters: { outageMs, killAtMs: killAt },
      fault,
      extra: (result) => ({
        acceptedDuringOutage: result.samples.filter(
          (s) => s.status === 202 && s.sentAtMs >= dead.fromMs && s.doneAtMs <= dead.toMs,
        ).length,
      }),
    };
  });
}
