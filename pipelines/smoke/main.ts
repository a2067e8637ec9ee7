/**
 * CLI for the pipeline's smoke stage:
 *   npx tsx pipelines/smoke/main.ts --url <https://…/webhook> --client-id <id> [--deadline-seconds 300]
 *     [--ca-file <pem>] [--resolve <host>:<address> | <host>:<port>:<address>]
 * The secret comes from SMOKE_WEBHOOK_SECRET (a secret pipeline variable), never from argv.
 * `--ca-file` trusts that PEM instead of the system CAs (a self-signed gateway certificate); TLS is
 * verified either way. `--resolve` connects to the address for that host, like curl's, keeping the
 * host name for SNI, the certificate check and the Host header.
 * Exit 0 on 202, 1 otherwise.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseResolve, runSmokeTest, signingSecret, type ResolveOverride } from './smoke';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      'client-id': { type: 'string' },
      'deadline-seconds': { type: 'string', default: '300' },
      'ca-file': { type: 'string' },
      resolve: { type: 'string' },
    },
  });
  const secret = signingSecret(process.env.SMOKE_WEBHOOK_SECRET);
  const deadlineSeconds = Number(values['deadline-seconds']);
  if (!values.url || !values['client-id'] || !secret || !(deadlineSeconds > 0)) {
    process.stderr.write(
      'smoke: --url, --client-id, a positive --deadline-seconds and SMOKE_WEBHOOK_SECRET are required\n',
    );
    return 1;
  }
  let resolve: ResolveOverride | undefined;
  if (values.resolve) {
    resolve = parseResolve(values.resolve);
    // Like curl, an entry for another host would be ignored; here that is a mistake, not a choice.
    if (resolve.host.toLowerCase() !== new URL(values.url).hostname.toLowerCase()) {
      process.stderr.write(`smoke: --resolve names ${resolve.host}, but --url is on another host\n`);
      return 1;
    }
  }
  const ca = values['ca-file'] ? readFileSync(values['ca-file']) : undefined;
  const result = await runSmokeTest({
    url: values.url,
    secret,
    clientId: values['client-id'],
    deadlineMs: deadlineSeconds * 1000,
    ...(ca === undefined ? {} : { ca }),
    ...(resolve === undefined ? {} : { resolve }),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const via = resolve ? ` via ${resolve.address}` : '';
  const line = `smoke: ${result.ok ? 'PASS' : 'FAIL'}${via} after ${result.attempts} attempt(s), HTTP ${result.status ?? '-'}: ${result.detail}\n`;
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
