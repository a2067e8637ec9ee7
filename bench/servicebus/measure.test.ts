/** The Service Bus benchmark's statistics. The measure itself, run against the AMQP test peer, is in ./measure.int.test.ts. */
import { nearestRank } from './measure';

it('takes nearest-rank percentiles', () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(nearestRank(sorted, 50)).toBe(50);
  expect(nearestRank(sorted, 99)).toBe(99);
  expect(nearestRank([], 50)).toBeNaN();
});
