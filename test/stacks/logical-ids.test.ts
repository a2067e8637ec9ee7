/**
 * Logical ids are Terraform addresses: renaming a construct changes them, and `terraform apply`
 * then destroys the old resource and creates a new one (a new Service Bus namespace loses its
 * messages; a new Key Vault name is blocked by purge protection). Each stack's addresses are
 * committed in `logical-ids/<stack>.txt`; an intended rename is accepted by regenerating them:
 *   UPDATE_LOGICAL_IDS=1 npx jest test/stacks/logical-ids
 * (and by a `moved` block or `terraform state mv` in the change that renames).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_NAMES, addresses, synthAll, type Synthesized } from './synth';

const snapshotDir = join(__dirname, 'logical-ids');
let synth: Synthesized;

beforeAll(() => {
  synth = synthAll();
});
afterAll(() => synth.cleanup());

describe('logical ids', () => {
  const STACKS = [...STACK_NAMES].sort();

  it('synthesizes exactly bootstrap and the foundation and platform stacks of dev, staging and prod', () => {
    expect([...synth.stacks.keys()]).toEqual(STACKS);
  });

  it.each(STACKS)('%s keeps every committed logical id (no accidental rename)', (stack) => {
    const actual = `${addresses(synth.stacks.get(stack) ?? {}).join('\n')}\n`;
    const file = join(snapshotDir, `${stack}.txt`);
    if (process.env.UPDATE_LOGICAL_IDS === '1') writeFileSync(file, actual);
    expect(existsSync(file)).toBe(true);
    const committed = readFileSync(file, 'utf8');
    const removed = committed.split('\n').filter((a) => a !== '' && !actual.split('\n').includes(a));
    const added = actual.split('\n').filter((a) => a !== '' && !committed.split('\n').includes(a));
    // Name both sides so a failure says which resources would be destroyed and created.
    expect({ removed, added }).toEqual({ removed: [], added: [] });
  });

  it('is deterministic: a second synth yields byte-identical stacks', () => {
    const again = synthAll();
    try {
      for (const stack of synth.stacks.keys()) {
        expect(readFileSync(again.file(stack), 'utf8')).toBe(readFileSync(synth.file(stack), 'utf8'));
      }
    } finally {
      again.cleanup();
    }
  });
});
