/**
 * README (and docs/) snippets are taken from examples/, so they cannot drift from code that compiles and
 * synthesizes (examples/examples.int.test.ts does both against the packed tarball). A code block
 * preceded by a marker comment
 *
 *   <!-- example: examples/message-bus.ts#readme -->
 *
 * must equal the lines between `// #region readme` and `// #endregion` in that file, with the
 * region's common indentation removed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

/** One marker and the code block after it. */
interface MarkedBlock {
  /** Path of the example file, relative to the repository root. */
  readonly file: string;
  /** Name of the region in that file. */
  readonly region: string;
  /** The code block's content, without its fences. */
  readonly code: string;
  /** 1-based line of the marker in the markdown. */
  readonly line: number;
}

const MARKER = /^<!-- example: (\S+?)#([\w-]+) -->$/;

/** Every marker in `markdown` with the fenced code block that follows it (blank lines between are allowed). */
function markedBlocks(markdown: string): MarkedBlock[] {
  const lines = markdown.split('\n');
  const blocks: MarkedBlock[] = [];
  lines.forEach((text, index) => {
    const marker = MARKER.exec(text.trim());
    if (marker === null) return;
    let open = index + 1;
    while (open < lines.length && (lines[open] ?? '').trim() === '') open++;
    if (!/^```\w*$/.test(lines[open] ?? '')) {
      throw new Error(`README.md:${index + 1}: the marker ${text.trim()} is not followed by a code block`);
    }
    const close = lines.findIndex((l, i) => i > open && l.startsWith('```'));
    if (close < 0) throw new Error(`README.md:${open + 1}: the code block never closes`);
    blocks.push({
      file: marker[1] ?? '',
      region: marker[2] ?? '',
      code: lines.slice(open + 1, close).join('\n'),
      line: index + 1,
    });
  });
  return blocks;
}

/** The lines between `// #region <name>` and the next `// #endregion`, dedented. */
function region(source: string, name: string): string {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => l.trim() === `// #region ${name}`);
  if (start < 0) throw new Error(`no "// #region ${name}"`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === '// #endregion');
  if (end < 0) throw new Error(`"// #region ${name}" has no "// #endregion"`);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return body.map((l) => l.slice(indent).trimEnd()).join('\n');
}

/** README.md and the pages under docs/ that show construct code. */
const PAGES = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('code blocks marked as examples in README.md and docs/', () => {
  const blocks = PAGES.flatMap((page) =>
    markedBlocks(readFileSync(join(root, page), 'utf8')).map((block) => ({ ...block, page })),
  );

  it('has marked blocks in the README', () => {
    expect(blocks.filter((b) => b.page === 'README.md').length).toBeGreaterThan(0);
  });

  it.each(blocks.map((b) => [`${b.file}#${b.region} (${b.page}:${b.line})`, b] as const))(
    '%s equals the region in the example file',
    (_name, block) => {
      expect(existsSync(join(root, block.file))).toBe(true);
      expect(block.code).toBe(region(readFileSync(join(root, block.file), 'utf8'), block.region));
    },
  );
});

describe('marker and region parsing', () => {
  it('reads the block after a marker, across blank lines, and dedents a region', () => {
    const md = ['intro', '<!-- example: examples/x.ts#readme -->', '', '```ts', 'const a = 1;', '```'].join(
      '\n',
    );
    expect(markedBlocks(md)).toEqual([
      { file: 'examples/x.ts', region: 'readme', code: 'const a = 1;', line: 2 },
    ]);
    const source = ['x', '  // #region readme', '  if (a) {', '    b();', '  }', '  // #endregion'].join(
      '\n',
    );
    expect(region(source, 'readme')).toBe('if (a) {\n  b();\n}');
  });

  it('fails when a marker has no code block or a region no end', () => {
    expect(() => markedBlocks('<!-- example: examples/x.ts#readme -->\ntext')).toThrow(
      /not followed by a code block/,
    );
    expect(() => region('// #region readme\nx', 'readme')).toThrow(/no "\/\/ #endregion"/);
    expect(() => region('x', 'readme')).toThrow(/no "\/\/ #region readme"/);
  });

  it('a changed README block no longer equals its region', () => {
    const source = '// #region readme\nconst a = 1;\n// #endregion';
    const [block] = markedBlocks('<!-- example: f.ts#readme -->\n```ts\nconst a = 2;\n```');
    expect(block?.code).not.toBe(region(source, 'readme'));
  });
});
