// Docs match the interface: every input a README passes to one of the suite's actions (with: under
// a uses: of actions/<name>) and every step output it reads (steps.<id>.outputs.<name>, where <id>
// is a step of the same example that uses one of our actions) exist in that action's action.yml.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '@wingman/testkit';
import { parse, parseAllDocuments } from 'yaml';

const ACTIONS = readdirSync(join(REPO_ROOT, 'actions')).filter((a) =>
  existsSync(join(REPO_ROOT, 'actions', a, 'action.yml')),
);
const manifest = Object.fromEntries(
  ACTIONS.map((a) => {
    const m = parse(readFileSync(join(REPO_ROOT, 'actions', a, 'action.yml'), 'utf8'));
    return [a, { inputs: Object.keys(m.inputs ?? {}), outputs: Object.keys(m.outputs ?? {}) }];
  }),
);
const READMES = [
  'README.md',
  ...ACTIONS.map((a) => `actions/${a}/README.md`),
  'examples/wingmanmatch/README.md',
].filter((f) => existsSync(join(REPO_ROOT, f)));

/** The step ids the docs use for our actions when the step itself is outside the snippet. */
const CONVENTIONAL_IDS: Record<string, string> = {
  heroku: 'deploy-heroku',
  vercel: 'deploy-vercel',
  web: 'deploy-vercel',
  migrate: 'run-migrations',
  verify: 'verify-schema',
  smoke: 'smoke-health',
  slack: 'notify-slack',
  sentry: 'sentry-release',
};

/** The action a `uses:` names, when it is one of ours (owner/repo/actions/x@ref, $/actions/x, ./actions/x). */
const ourAction = (uses: unknown) => {
  const m = typeof uses === 'string' ? /(?:^|\/)actions\/([a-z-]+)(?:@|$)/.exec(uses) : null;
  return m && ACTIONS.includes(m[1]!) ? m[1]! : undefined;
};

/** Every mapping in a parsed YAML value. */
function* mappings(v: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(v)) for (const x of v) yield* mappings(x);
  else if (v && typeof v === 'object') {
    yield v as Record<string, unknown>;
    for (const x of Object.values(v)) yield* mappings(x);
  }
}

describe('READMEs name only inputs and outputs that exist', () => {
  it.each(READMES)('%s', (file) => {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const problems: string[] = [];
    for (const [, block] of text.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
      let docs: unknown[];
      try {
        docs = parseAllDocuments(block!).map((d) => d.toJS());
      } catch {
        continue; // a fragment that is not YAML on its own
      }
      const stepAction = new Map<string, string>();
      for (const doc of docs)
        for (const m of mappings(doc)) {
          const action = ourAction(m.uses);
          if (!action) continue;
          if (typeof m.id === 'string') stepAction.set(m.id, action);
          for (const key of Object.keys((m.with as object | null) ?? {}))
            if (!manifest[action]!.inputs.includes(key)) problems.push(`${action} has no input '${key}'`);
        }
      for (const [, id, output] of block!.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const action = stepAction.get(id!) ?? CONVENTIONAL_IDS[id!];
        if (action && !manifest[action]!.outputs.includes(output!))
          problems.push(`steps.${id}.outputs.${output}: ${action} has no output '${output}'`);
      }
    }
    expect(problems).toEqual([]);
  });
});
