/**
 * Scenario b: two runtimes behind NGINX under steady load (test/support/path.ts); one is SIGKILLed a
 * third of the way in and stays dead. Requests in flight on it are lost to the sender (NGINX answers
 * 503 and never re-sends a POST that reached a runtime); every 202 must be on the topic.
 */
import { startPath } from '../../../test/support/path';
import type { RunningRuntime } from '../../../test/support/runtime';
import {
  loadDuringFault,
  Timeline,
  loadSummary,
  type LoadScenarioOptions,
  type ScenarioReport,
} from './harness';

export async function runtimeKillScenario(options: LoadScenarioOptions = {}): Promise<ScenarioReport> {
  const ratePerSecond = options.ratePerSecond ?? 200;
  const durationMs = options.durationMs ?? 30_000;
  const stack = await startPath({ name: 'faults-b', upstreams: 2 });
  try {
    const victim = stack.runtimes[0] as RunningRuntime;
    const timeline = new Timeline(performance.now());
    const killAt = Math.round(durationMs / 3);
    const fault = (async () => {
      await timeline.until(killAt);
      const startMs = timeline.mark(`SIGKILL ${victim.name}`);
      await victim.kill('SIGKILL');
      timeline.mark(`${victim.name} exited`);
      return { startMs, endMs: startMs };
    })();
    const { window, result, proxy, tally } = await loadDuringFault(
      stack,
      timeline,
      { ratePerSecond, durationMs },
      fault,
    );
    return {
      scenario: 'b',
      title: 'one of two runtimes SIGKILLed under load behind NGINX',
      parameters: { ratePerSecond, durationMs, runtimes: 2, killAtMs: killAt, topic: stack.topic },
      events: timeline.events,
      fault: window,
      load: loadSummary(result),
      tally,
      proxy,
    };
  } finally {
    await stack.stop();
  }
}
