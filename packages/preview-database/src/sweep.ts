// The daily sweep: previews whose pull request is closed (a missed close event, a failed cleanup) are
// removed, so nothing keeps costing money. A PR the sweep cannot look up is kept and named.
import { type SweepResult, sweepClosedPullRequests } from '@wingman/github/sweep';
import type { Log } from '@wingman/log';
import type { PreviewStore } from './preview';

export type { SweepResult };

export async function sweepPreviews(
  store: PreviewStore,
  isOpen: (pr: number) => Promise<boolean>,
  log: Log,
): Promise<SweepResult> {
  return sweepClosedPullRequests(await store.prs(), {
    isOpen,
    remove: async (pr) => {
      await store.remove(pr);
    },
    what: 'its preview is',
    log,
  });
}
