// What a run tells its caller, on success and on failure alike: the app, the releases it made or found,
// and what to roll back to.

import type { HerokuRelease } from './types';

export type HerokuMode =
  | 'deploy'
  | 'promote'
  | 'rollback'
  | 'maintenance'
  | 'review-app'
  | 'delete-review-app'
  | 'sweep-review-apps';

export interface ReleaseRef {
  id: string;
  version: number;
  description: string;
}

export interface TargetReport {
  app: string;
  appId: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'pending';
  release?: ReleaseRef;
  previousRelease?: ReleaseRef;
  error?: string;
}

/** deploy's config-vars: names only, never values. */
export interface ConfigReport {
  added: string[];
  changed: string[];
  /** With prune: vars the list lacks (an add-on's own vars are never removed). */
  removed: string[];
  /** How many of the listed vars were already set as given. */
  unchanged: number;
  /** The release the change made (it carries the new config), when one was needed. */
  release?: ReleaseRef;
}

export interface HerokuReport {
  mode: HerokuMode;
  /** App name (as Heroku spells it once known, else the input). */
  app: string;
  appId?: string;
  appUrl?: string;
  activityUrl: string;
  version?: string;
  skipped: boolean;
  skipReason?: string;
  buildId?: string;
  /** The release this run created (or found current, when skipped). */
  release?: ReleaseRef;
  /** What to roll back to: the release that was current before this run. */
  previousRelease?: ReleaseRef;
  /** rollback: the release whose slug now runs again. */
  rollbackTarget?: ReleaseRef;
  targets?: TargetReport[];
  source?: { files: number; bytes: number; sha256: string };
  config?: ConfigReport;
  /** sweep-review-apps: pull requests whose review app was deleted (closed), kept (open), or not read. */
  swept?: { removed: number[]; kept: number[]; unknown: number[] };
  /** The app's maintenance mode after the run (read by every verb that reads the app). */
  maintenance?: boolean;
  durationMs: number;
}

/** A failed run, with everything learned before the failure (for outputs and the summary). */
export class HerokuRunError extends Error {
  override name = 'HerokuRunError';
  constructor(
    message: string,
    readonly report: HerokuReport,
    readonly id?: string,
  ) {
    super(message);
  }
}

export const activityUrl = (app: string) => `https://dashboard.heroku.com/apps/${encodeURIComponent(app)}/activity`;

export const releaseRef = (r: HerokuRelease): ReleaseRef => ({
  id: r.id,
  version: r.version,
  description: r.description,
});
