// The README's message examples are what the builder produces: parsed back out of the README and compared.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { validateBlocks } from '@wingman/testkit';
import {
  builderUrl,
  END,
  EXAMPLE_CONTEXT,
  exampleInput,
  expectedReadme,
  README,
  START,
} from '../scripts/readme-examples';
import { buildDeployMessage, STATUSES } from '../src/index';

const readme = readFileSync(README, 'utf8');
const section = readme.slice(readme.indexOf(START), readme.indexOf(END));

describe('actions/notify-slack/README.md messages', () => {
  it('is up to date (run ./node_modules/.bin/tsx packages/slack/scripts/readme-examples.ts)', () => {
    expect(readme).toBe(expectedReadme(readme));
  });

  it.each(STATUSES)('shows %s as the JSON and the Block Kit Builder link the builder produces', (status) => {
    const heading = section.indexOf(`#### \`${status}\``);
    expect(heading).toBeGreaterThan(0);
    const part = section.slice(heading);
    const json = /```json\n([\s\S]*?)\n```/.exec(part)![1]!;
    const link = /\[Preview in Block Kit Builder\]\((https:\/\/app\.slack\.com\/block-kit-builder\/#[^)]+)\)/.exec(
      part,
    )![1]!;
    // A fixed example input, built independently of the script's rendering.
    const built = buildDeployMessage({ ...exampleInput(status), context: EXAMPLE_CONTEXT });
    expect(JSON.parse(json)).toEqual({ blocks: built.blocks });
    expect(JSON.parse(decodeURIComponent(link.slice(link.indexOf('#') + 1)))).toEqual({ blocks: built.blocks });
    expect(link).toBe(builderUrl(built.blocks));
    expect(part).toContain(`fallback \`text\`: \`${built.text}\``);
    expect(validateBlocks(built.blocks)).toEqual([]);
  });

  it('the example run looks like the pipeline: mention on failure only, duration once finished', () => {
    const failed = JSON.stringify(buildDeployMessage(exampleInput('failed')).blocks);
    expect(failed).toContain('<!subteam^S0ONCALL1>');
    expect(failed).toContain('*Report*');
    expect(JSON.stringify(buildDeployMessage(exampleInput('succeeded')).blocks)).not.toContain('subteam');
    expect(JSON.stringify(buildDeployMessage(exampleInput('started')).blocks)).not.toContain('Duration');
  });
});
