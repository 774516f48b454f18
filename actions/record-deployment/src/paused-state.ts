// The monitors main paused, handed to the post step through the runner's state (ids only: no secret).
import { getState, saveState } from '@wingman/action-kit/state';

const NAME = 'paused-monitors';

export function savePausedMonitors(ids: readonly number[]): void {
  saveState(NAME, JSON.stringify(ids));
}

/** The ids main saved, or [] when it paused nothing. */
export function pausedMonitors(): number[] {
  const saved = getState(NAME);
  if (!saved) return [];
  const ids: unknown = JSON.parse(saved);
  return Array.isArray(ids) ? ids.filter((id): id is number => Number.isInteger(id)) : [];
}
