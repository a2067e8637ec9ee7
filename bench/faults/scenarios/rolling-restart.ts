/**
 * Scenario c: a rolling restart under steady load. Two runtimes behind NGINX (test/support/path.ts);
 * each in turn gets SIGTERM (graceful drain: /readyz fails, new webhooks 503 + Connection: close,
 * in-flight publishes finish), exits, and is started again on the same address before the next one
 * goes. Every 202 must be on the topic; the 503s the senders see are counted.
 */
import { describeExit } from '../../../test/support/process';
import { runFaultScenario, type LoadScenarioOptions, type ScenarioReport } from './harness';

export function rollingRestartScenario(options: LoadScenarioOptions = {}): Promise<ScenarioReport> {
  return runFaultScenario('c', options, {}, ({ stack, timeline, durationMs }) => {
    const firstAt = Math.round(durationMs / 4);
    const fault = (async () => {
      await timeline.until(firstAt);
      let startMs = -1;
      for (const [index, old] of stack.runtimes.entries()) {
        const at = timeline.mark(`SIGTERM ${old.name}`);
        if (startMs < 0) startMs = at;
        // Stops it, waits for it to exit, starts it again on the same address and waits until ready.
        const fresh = stack.restartRuntime(index, 'SIGTERM');
        const exit = await old.exited;
        timeline.mark(
          `${old.name} exited (${exit.signal === null ? `code ${exit.code}` : describeExit(exit)})`,
        );
        await fresh;
        timeline.mark(`${old.name} restarted and ready`);
      }
      return { startMs, endMs: timeline.now() };
    })();
    return {
      title: 'rolling restart: SIGTERM to each runtime in turn under load, restarted on the same address',
      parameters: { firstSigtermAtMs: firstAt },
      fault,
    };
  });
}
