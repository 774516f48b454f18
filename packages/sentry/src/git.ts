// What the checkout can tell about history. `git rev-parse --is-shallow-repository` is the cheap test
// actions/checkout's default fetch-depth: 1 fails, and the one that decides whether sentry-cli's local
// commit discovery can be trusted.
import { execFile } from 'node:child_process';

export type CheckoutKind = 'full' | 'shallow' | 'none';

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'utf8', timeout: 30_000 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout.trim()),
    );
  });
}

/** 'full' when the history is there; 'shallow' for a depth-limited clone; 'none' when there is no git checkout at all. */
export async function checkoutKind(cwd: string): Promise<CheckoutKind> {
  try {
    await git(cwd, ['log', '-1', '--format=%H']);
    return (await git(cwd, ['rev-parse', '--is-shallow-repository'])) === 'true' ? 'shallow' : 'full';
  } catch {
    return 'none';
  }
}
