/**
 * Scenario b: two runtimes behind NGINX under steady load (test/support/path.ts); one is SIGKILLed a
 * third of the way in and stays dead. Requests in flight on it are lost to the sender (NGINX answers
 * 503 and never re-sends a POST that reached a runtime); every 202 must be on the topic.
 */
import type { RunningRuntime } from '../../../test/support/runtime';
import { runFaultScenario, type LoadScenarioOptions, type ScenarioReport } from './harness';

export function runtimeKillScenario(options: LoadScenarioOptions = {}): Promise<ScenarioReport> {
  return runFaultScenario('b', options, {}, ({ stack, timeline, durationMs }) => {
    const victim = stack.runtimes[0] as RunningRuntime;
    const killAt = Math.round(durationMs / 3);
    const fault = (async () => {
      await timeline.until(killAt);
      const startMs = timeline.mark(`SIGKILL ${victim.name}`);
      await victim.kill('SIGKILL');
      timeline.mark(`${victim.name} exited`);
      return { startMs, endMs: startMs };
    })();
    return {
      title: 'one of two runtimes SIGKILLed under load behind NGINX',
      parameters: { killAtMs: killAt },
      fault,
    };
  });
}
