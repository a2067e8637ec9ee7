/**
 * The README and the pages it sends readers to link to each other by relative paths and anchors.
 * Moving a section or renaming a file must not leave a reader on a dead link: every relative link
 * in README.md, CONTRIBUTING.md and docs/**.md names a file that exists, and every `#anchor` names
 * a heading of the target page (GitHub's slug rules: lower case, punctuation dropped, spaces → `-`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(__dirname, '..');

function markdownFiles(): string[] {
  const files = ['README.md', 'CONTRIBUTING.md'].filter((f) => existsSync(join(root, f)));
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir))) {
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  return files;
}

/** GitHub's heading anchor: lower case, everything but letters, digits, spaces, `-` and `_` dropped. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] ?? '')));
}

/** Relative links `[text](target)` outside code blocks; external and mail links are not checked. */
function linksOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target));
}

describe('documentation links', () => {
  it('computes anchors as GitHub does', () => {
    expect(slug('First deploy: from an empty subscription to a `202`')).toBe(
      'first-deploy-from-an-empty-subscription-to-a-202',
    );
    expect(slug('Webhook runtime (`runtime/`)')).toBe('webhook-runtime-runtime');
  });

  it.each(markdownFiles())('%s links only to files and headings that exist', (file) => {
    const dead: string[] = [];
    for (const link of linksOf(file)) {
      const [path = '', anchor] = link.split('#');
      const target = path === '' ? file : relative(root, join(root, dirname(file), path));
      if (!existsSync(join(root, target))) {
        dead.push(`${link} (no file ${target})`);
        continue;
      }
      if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor)) {
        dead.push(`${link} (no heading #${anchor} in ${target})`);
      }
    }
    expect(dead).toEqual([]);
  });
});
