// State between an action's main step and its post step (runs.post in action.yml). Main saves it through the
// GITHUB_STATE file; the runner passes each entry to the post step only, as STATE_<name>. The post step
// runs the same bundle, so the bundle tells the two apart by a state entry that only main writes
// (actions/checkout's pattern). State is a file on the runner's disk: never put a secret in it.
import { saveState } from './commands';

export { saveState };

/** The value main saved under `name`, or undefined in main and when nothing was saved. */
export function getState(name: string): string | undefined {
  return process.env[`STATE_${name}`] || undefined;
}

const POST_MARK = 'isPost';

/** 'post' in the post step; in main, 'main', after saving the mark that makes the post step see 'post'. */
export function enterPhase(): 'main' | 'post' {
  if (getState(POST_MARK) === 'true') return 'post';
  saveState(POST_MARK, 'true');
  return 'main';
}
