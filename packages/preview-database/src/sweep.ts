// The daily sweep: previews whose pull request is closed (a missed close event, a failed cleanup) are
// removed, so nothing keeps costing money. A PR the sweep cannot look up is kept and named.
import type { Log } from '@wingman/log';
import type { PreviewStore } from './preview';

export interface SweepResult {
  removed: number[];
  kept: number[];
  /** PRs whose state could not be read (kept). */
  unknown: number[];
}

export async function sweepPreviews(
  store: PreviewStore,
  isOpen: (pr: number) => Promise<boolean>,
  log: Log,
): Promise<SweepResult> {
  const result: SweepResult = { removed: [], kept: [], unknown: [] };
  for (const pr of await store.prs()) {
    let open: boolean;
    try {
      open = await isOpen(pr);
    } catch (err) {
      log.warning(`could not read pull request #${pr}, its preview is kept: ${(err as Error).message}`);
      result.unknown.push(pr);
      continue;
    }
    if (open) {
      result.kept.push(pr);
      continue;
    }
    await store.remove(pr);
    result.removed.push(pr);
  }
  return result;
}
