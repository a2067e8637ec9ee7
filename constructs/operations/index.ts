/**
 * Public surface of the operations area: what operators run against a deployed platform, such as
 * the dead-letter re-drive job.
 */
export { DeadLetterRedriveJob, type DeadLetterRedriveJobProps } from './redrive-job';
