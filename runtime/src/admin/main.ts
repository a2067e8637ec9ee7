/**
 * `webhooks-admin`: dead-letter list/show/re-drive on Service Bus and replay on Kafka (Event Hubs).
 * Shipped in the runtime image as `node admin.js …` (runtime/build.mjs); from the repository
 * `npm run webhooks-admin -- …`. See USAGE in ./args.ts.
 */
import { parseCommand, USAGE, type Command } from './args';
import { findDeadLetter, peekAll, view } from './dlq';
import { describeFailure } from './errors';
import { replay } from './kafka-replay';
import { createOutput, type Output } from './output';
import { redrive } from './redrive';
import { openDeadLetters } from './servicebus';

async function execute(command: Command, out: Output): Promise<number> {
  if (command.name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command.name === 'kafka replay') {
    const summary = await replay(command, (s) => out.progress({ ...s }));
    out.summary({ ...summary });
    return 0;
  }
  const session = openDeadLetters(command.target);
  try {
    if (command.name === 'dlq list') {
      for await (const message of peekAll(session.receiver, command.max)) out.json(view(message));
      return 0;
    }
    if (command.name === 'dlq show') {
      const found = await findDeadLetter(session.receiver, command.id);
      if (found === undefined) {
        out.error(`${session.where}: no dead letter with sequence number or message id '${command.id}'`);
        return 3;
      }
      out.json(found);
      return 0;
    }
    const summary = await redrive(session, command, (s) => out.progress({ ...s }));
    out.summary({ ...summary });
    return summary.failed > 0 ? 1 : 0;
  } catch (err) {
    const failure = describeFailure(err, session.where);
    out.error(failure.message);
    return failure.exitCode;
  } finally {
    await session.close();
  }
}

export async function main(argv: readonly string[], out: Output = createOutput()): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    out.error(`${describeFailure(err, 'usage').message}\n\n${USAGE}`);
    return 2;
  }
  try {
    return await execute(command, out);
  } catch (err) {
    const failure = describeFailure(err, command.name);
    out.error(failure.message);
    return failure.exitCode;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
