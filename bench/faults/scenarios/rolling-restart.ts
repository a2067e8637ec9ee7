/**
 * Scenario c: a rolling restart under steady load. Two runtimes behind NGINX (bench/lib/stack.ts);
 * each in turn gets SIGTERM (graceful drain: /readyz fails, new webhooks 503 + Connection: close,
 * in-flight publishes finish), exits, and is started again on the same address before the next one
 * goes. Every 202 must be on the topic; the 503s the senders see are counted.
 */
import type { RunningRuntime } from '../../../nginx/test/support/runtime-process';
import { startStack } from '../../lib/stack';
import {
  loadDuringFault,
  Timeline,
  loadSummary,
  restartRuntime,
  type LoadScenarioOptions,
  type ScenarioReport,
} from './harness';

export async function rollingRestartScenario(options: LoadScenarioOptions = {}): Promise<ScenarioReport> {
  const ratePerSecond = options.ratePerSecond ?? 200;
  const durationMs = options.durationMs ?? 30_000;
  const stack = await startStack({ name: 'faults-c', upstreams: 2 });
  // The restarted runtimes are ours to stop (the stack stops the ones it started).
  const restarted: RunningRuntime[] = [];
  try {
    const timeline = new Timeline(performance.now());
    const firstAt = Math.round(durationMs / 4);
    const fault = (async () => {
      await timeline.until(firstAt);
      let startMs = -1;
      for (const old of stack.runtimes) {
        const at = timeline.mark(`SIGTERM ${old.name}`);
        if (startMs < 0) startMs = at;
        await old.kill('SIGTERM');
        timeline.mark(`${old.name} exited (code ${old.process.exitCode ?? old.process.signalCode})`);
        restarted.push(await restartRuntime(old, stack));
        timeline.mark(`${old.name} restarted and ready`);
      }
      return { startMs, endMs: timeline.now() };
    })();
    const { window, result, proxy, tally } = await loadDuringFault(
      stack,
      timeline,
      { ratePerSecond, durationMs },
      fault,
    );
    return {
      scenario: 'c',
      title: 'rolling restart: SIGTERM to each runtime in turn under load, restarted on the same address',
      parameters: { ratePerSecond, durationMs, runtimes: 2, firstSigtermAtMs: firstAt, topic: stack.topic },
      events: timeline.events,
      fault: window,
      load: loadSummary(result),
      tally,
      proxy,
    };
  } finally {
    await stack.stop();
    for (const runtime of restarted) await runtime.kill('SIGKILL').catch(() => undefined);
  }
}
