/**
 * A throwaway consumer project: a fixture copied to a temp dir, with the SDK
 * installed as npm installs it (the packed tarball, only what `files` ships)
 * and other packages linked in under the names the project requires.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const sdkRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Project {
  dir: string;
  /** Links `packageName` (resolved from the SDK's own devDependencies) in as `as`, with its dependencies. */
  link(as: string, packageName?: string): void;
  remove(): void;
}

export function consumerProject(fixture: string): Project {
  const dir = mkdtempSync(join(tmpdir(), `sdk-${fixture}-`));
  cpSync(join(sdkRoot, 'test', 'fixtures', fixture), dir, { recursive: true });
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: sdkRoot, encoding: 'utf8' }),
  ) as Array<{ filename: string }>;
  execFileSync('tar', ['xzf', join(dir, packed[0]!.filename), '-C', dir]);
  mkdirSync(join(dir, 'node_modules', '@pushflodev'), { recursive: true });
  renameSync(join(dir, 'package'), join(dir, 'node_modules', '@pushflodev', 'sdk'));

  const linkDir = (as: string, real: string) => {
    const target = join(dir, 'node_modules', as);
    if (existsSync(target)) return;
    symlinkSync(real, target, 'dir');
    // Its dependencies too, flat beside it (run node with --preserve-symlinks so they resolve from here).
    const manifest = JSON.parse(readFileSync(join(real, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const from = createRequire(join(real, 'package.json'));
    for (const dep of Object.keys(manifest.dependencies ?? {})) linkDir(dep, dirname(realpathSync(from.resolve(`${dep}/package.json`))));
  };
  return {
    dir,
    link(as, packageName = as) {
      linkDir(as, dirname(realpathSync(createRequire(join(sdkRoot, 'package.json')).resolve(`${packageName}/package.json`))));
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
