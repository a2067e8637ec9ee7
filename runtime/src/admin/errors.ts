/**
 * What an operator reads when a command fails: the SDK's error codes mapped to a sentence that says
 * what to check, and an exit code per kind (see USAGE in ./args.ts).
 */
import { UsageError } from './args';

export interface Failure {
  readonly exitCode: number;
  readonly message: string;
}

/** Service Bus and Kafka error codes → exit code and advice. */
export function describeFailure(failure: unknown, where: string): Failure {
  // core-amqp's retry gives up with an AggregateError of every attempt's error: the last one counts.
  const err = failure instanceof AggregateError ? (failure.errors.at(-1) as unknown) : failure;
  if (err instanceof UsageError) return { exitCode: 2, message: err.message };
  const code = (err as { code?: unknown }).code;
  const detail = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'MessagingEntityNotFound':
      return {
        exitCode: 3,
        message: `${where}: entity not found (check the queue, topic or subscription name): ${detail}`,
      };
    case 'UnauthorizedAccess':
      return {
        exitCode: 4,
        message:
          `${where}: not authorized — the identity needs Azure Service Bus Data Receiver and Data Sender ` +
          `on this entity (or the credential was refused): ${detail}`,
      };
    case 'ServiceCommunicationProblem':
    case 'ENOTFOUND':
    case 'ECONNREFUSED':
      return {
        exitCode: 5,
        message: `${where}: namespace unreachable (check --namespace, e.g. <name>.servicebus.windows.net): ${detail}`,
      };
    default:
      return { exitCode: 1, message: `${where}: ${detail}` };
  }
}
