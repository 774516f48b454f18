// What a run tells its caller, on success and on failure alike: the app, the releases it made or found,
// and what to roll back to.

import type { HerokuRelease } from './types';

export type HerokuMode = 'deploy' | 'promote' | 'rollback';

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
