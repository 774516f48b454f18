// mode sweep, daily: the preview aliases of closed pull requests (a missed close event, a failed
// cleanup) come off Vercel, so a closed PR's preview stops being served at its alias. Which PR an alias
// belongs to comes from the alias templates ({pr}); an open PR keeps its aliases, one whose state
// cannot be read keeps them and is named. The PR's GitHub deployments are left as they are: marking
// them inactive needs deployments: write, which the sweep's job does not have.
import { type SweepResult, sweepClosedPullRequests } from '@wingman/github/sweep';
import type { Log } from '@wingman/log';
import { pullRequestOfAlias } from './aliases';
import type { VercelApi } from './api';
import { removeAliases } from './cleanup';
import { explainVercelError } from './deploy';

export interface AliasSweepOptions {
  api: VercelApi;
  projectId: string;
  /** The alias templates the previews were made with (preview.yml's aliases input). */
  templates: string[];
  isOpen: (pr: number) => Promise<boolean>;
  log: Log;
}

export interface AliasSweepResult extends SweepResult {
  /** Every alias removed, by pull request. */
  aliases: Record<number, string[]>;
}

export async function sweepPreviewAliases(o: AliasSweepOptions): Promise<AliasSweepResult> {
  const { api, log } = o;
  const matching = o.templates.filter((t) => t.includes('{pr}'));
  if (!matching.length)
    throw new Error(
      `input 'aliases' has no template with {pr} (${o.templates.join(', ') || 'none'}): the sweep finds a pull request's aliases by its number; give the templates preview.yml uses, e.g. myapp-pr-{pr}.vercel.app`,
    );
  for (const t of o.templates.filter((x) => !matching.includes(x)))
    log.notice(`alias '${t}' has no {pr}: its aliases cannot be told apart by pull request and are not swept`);
  let all: Awaited<ReturnType<VercelApi['listAliases']>>;
  try {
    all = await api.listAliases(o.projectId);
  } catch (err) {
    throw explainVercelError(err, o.projectId, api.teamId);
  }
  const byPr = new Map<number, string[]>();
  for (const a of all) {
    const pr = matching.map((t) => pullRequestOfAlias(t, a.alias)).find((n) => n !== undefined);
    if (pr !== undefined) byPr.set(pr, [...(byPr.get(pr) ?? []), a.alias]);
  }
  const aliases: Record<number, string[]> = {};
  const result = await sweepClosedPullRequests(
    [...byPr.keys()].sort((a, b) => a - b),
    {
      isOpen: o.isOpen,
      what: 'its preview aliases are',
      log,
      remove: async (pr) => {
        const removed = await removeAliases({ api, projectId: o.projectId, aliases: byPr.get(pr)!, log });
        aliases[pr] = removed.removed.map((r) => r.alias);
      },
    },
  );
  return { ...result, aliases };
}
