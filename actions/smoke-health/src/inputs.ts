import { defineInputs, input } from '@wingman/action-kit/inputs';

export const smokeHealthInputs = defineInputs({
  url: input.url({
    description: 'A single target to check (shorthand for a one-item targets list with the defaults).',
    protocols: ['http:', 'https:'],
  }),
  targets: input.yaml({
    description:
      'YAML or JSON list of targets; each a URL or {url, method, headers, body, expect-status (200, [200, 204], 200-299, 2xx), expect-json (assertions like $.status == "ok"), expect-body (regex), expect-headers (name: value or /regex/)}. Header values that are credentials (Authorization, Cookie, X-*-Token, *-Secret, *-Key, a protection bypass) are masked.',
  }),
  headers: input.string({
    description:
      'Headers sent to every target, one "Name: value" per line (e.g. x-vercel-protection-bypass). Each value is masked; none is sent to another origin on a redirect.',
    secret: true,
  }),
  'wait-timeout': input.duration({
    description: 'Readiness: poll each target with backoff until it passes its contract once, for at most this long.',
    default: '5m',
  }),
  'request-timeout': input.duration({
    description: 'Limit for one request, redirects included, up to the last body byte.',
    default: '10s',
  }),
  samples: input.integer({
    description: 'Latency sample after readiness: requests per target (0 checks readiness and the contract only).',
    default: '50',
    min: 0,
    max: 100000,
  }),
  concurrency: input.integer({
    description: 'Requests in flight at once during the latency sample.',
    default: '5',
    min: 1,
    max: 200,
  }),
  'p95-budget': input.duration({
    description: "Fail when a target's P95 latency exceeds this; 0 for no latency budget.",
    default: '2s',
  }),
  'error-rate-budget': input.string({
    description: "Fail when a target's share of failed samples exceeds this percentage.",
    default: '1%',
    pattern: /^\d+(\.\d+)?%$/,
    expected: 'a percentage like 1% or 0.5%',
  }),
  'follow-redirects': input.boolean({
    description: 'Follow redirects (at most 10); when false a redirect must match expect-status itself.',
    default: 'true',
  }),
  'allow-redirects-to': input.list({
    description:
      "Other origins a followed redirect may lead to (e.g. https://www.example.com), separated by commas, spaces or newlines; '*' for any. A redirect elsewhere fails the target unfollowed. The target's own origin and http→https on the same host are always allowed.",
  }),
});
