import { defineInputs, input } from '@wingman/action-kit/inputs';

export const previewCommentInputs = defineInputs({
  'github-token': input.string({
    description: 'A token that may comment on the pull request (github.token with pull-requests: write).',
    required: true,
    secret: true,
  }),
  parts: input.yaml({
    description:
      "YAML list of the preview's parts, each {name, state (building, ready, failed, skipped or removed), url, detail (one line: what it is, or why it failed)}.",
    required: true,
  }),
  details: input.json({
    description:
      'A JSON object of figures shown under the parts, label to value (e.g. {"migrations applied": "…", "smoke P95 ms": "120"}); empty values are left out.',
  }),
  title: input.string({
    description: 'What the comment calls the preview.',
    default: 'Full-stack preview',
  }),
  'pull-request': input.integer({
    description: 'The pull request number. Default: the pull request of the triggering event.',
    min: 1,
  }),
});
