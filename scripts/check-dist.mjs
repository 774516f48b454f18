// pnpm check-dist: rebuild into a scratch folder and fail if it differs from the committed dist/.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'check-dist-'));
try {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--out', scratch, ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  });
  const diff = spawnSync('git', ['diff', '--no-index', '--stat', '--', join(root, 'dist'), scratch], {
    encoding: 'utf8',
  });
  if (diff.status !== 0) {
    console.error(
      `dist/ is not what the sources build to:\n${diff.stdout}${diff.stderr}\nRun 'pnpm build' and commit dist/.`,
    );
    process.exit(1);
  }
  console.log('dist/ is current');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
