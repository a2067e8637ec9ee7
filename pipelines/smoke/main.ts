/**
 * CLI for the pipeline's smoke stage:
 *   node smoke.cjs --url <https://…/webhooks> --client-id <id> [--deadline-seconds 300]
 * The secret comes from SMOKE_WEBHOOK_SECRET (a secret pipeline variable), never from argv.
 * Exit 0 on 202, 1 otherwise.
 */
import { parseArgs } from 'node:util';
import { runSmokeTest } from './smoke';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      'client-id': { type: 'string' },
      'deadline-seconds': { type: 'string', default: '300' },
    },
  });
  const secret = process.env.SMOKE_WEBHOOK_SECRET;
  const deadlineSeconds = Number(values['deadline-seconds']);
  if (!values.url || !values['client-id'] || !secret || !(deadlineSeconds > 0)) {
    process.stderr.write(
      'smoke: --url, --client-id, a positive --deadline-seconds and SMOKE_WEBHOOK_SECRET are required\n',
    );
    return 1;
  }
  const result = await runSmokeTest({
    url: values.url,
    secret,
    clientId: values['client-id'],
    deadlineMs: deadlineSeconds * 1000,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const line = `smoke: ${result.ok ? 'PASS' : 'FAIL'} after ${result.attempts} attempt(s), HTTP ${result.status ?? '-'}: ${result.detail}\n`;
  (result.ok ? process.stdout : process.stderr).write(line);
  return result.ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`smoke: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
