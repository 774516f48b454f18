// What a deploy ended as, in the words the suite uses, and how each shows in the tools a team watches.

export const DEPLOY_STATUSES = ['succeeded', 'failed', 'rolled-back', 'cancelled'] as const;
export type DeployStatus = (typeof DEPLOY_STATUSES)[number];

/** Our words and GitHub's job status words (what `${{ job.status }}` gives). */
export const STATUS_WORDS = [...DEPLOY_STATUSES, 'success', 'failure'] as const;
export type StatusWord = (typeof STATUS_WORDS)[number];

export function deployStatus(word: StatusWord): DeployStatus {
  if (word === 'success') return 'succeeded';
  if (word === 'failure') return 'failed';
  return word;
}
