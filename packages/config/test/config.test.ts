// The manifest and the checks, on readings built here (the platforms' reading is proven against the
// simulators in action-tests/verify-config.test.ts).
import { describe, expect, it } from '@jest/globals';
import { checkConfig, type Reading, shapeOf } from '../src/check';
import { parseManifest } from '../src/manifest';

const reading = (
  platform: 'heroku' | 'vercel',
  environment: string,
  vars: Record<string, string | undefined>,
): Reading => ({
  platform,
  environment,
  where: `${platform} ${environment}`,
  vars: new Map(Object.entries(vars).map(([k, v]) => [k, v === undefined ? {} : { value: v }])),
});

describe('the manifest', () => {
  it('reads environments and variables, with each variable’s line', () => {
    const m = parseManifest(
      'environments: [staging, production]\nvariables:\n  A: { heroku: A }\n  B:\n    vercel: B\n    isolated: true\n',
      'deploy/config.yml',
    );
    expect(m.environments).toEqual(['staging', 'production']);
    expect(m.variables.B).toEqual({ vercel: 'B', isolated: true });
    expect(m.lines).toEqual({ A: 3, B: 4 });
  });

  it('says at which line and what is wrong', () => {
    const bad = (text: string) => {
      try {
        parseManifest(text, 'deploy/config.yml');
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('expected a failure');
    };
    expect(bad('environments: [staging]\nvariables:\n  A: { heroku: A, patern: x }\n')).toMatch(
      /^deploy\/config\.yml:3: variables\.A: /,
    );
    expect(bad('environments: [staging]\nvariables:\n  A: { isolated: true }\n')).toBe(
      'deploy/config.yml:3: variables.A: name the variable on heroku, vercel or both',
    );
    expect(bad('environments: [staging]\nvariables:\n  A: { heroku: A, pattern: "(" }\n')).toMatch(
      /^deploy\/config\.yml:3: variables\.A\.pattern: a valid regular expression$/,
    );
    expect(bad('environments: [staging]\nvariables:\n  A: { heroku: A, environments: [prod] }\n')).toBe(
      "deploy/config.yml:3: variables.A.environments names 'prod', which is not one of environments (staging)",
    );
    expect(bad('environments: [staging\n')).toMatch(/^deploy\/config\.yml:\d+: not valid YAML/);
  });
});

describe('the checks', () => {
  const m = parseManifest(
    `environments: [staging, production]
variables:
  URL: { heroku: URL, vercel: NEXT_URL, pattern: '^https://', isolated: true }
  ENV: { heroku: ENVIRONMENT, equals: '{environment}' }
  ONLY_PROD: { heroku: ONLY_PROD, environments: [production] }
`,
    'm.yml',
  );

  it('marks every cell of a sound configuration, and needs nothing an environment does not', () => {
    const r = checkConfig(m, 'staging', [
      reading('heroku', 'staging', { URL: 'https://s.example.com', ENVIRONMENT: 'staging' }),
      reading('vercel', 'staging', { NEXT_URL: 'https://s.example.com' }),
      reading('heroku', 'production', { URL: 'https://p.example.com' }),
      reading('vercel', 'production', { NEXT_URL: 'https://p.example.com' }),
      reading('vercel', 'preview', { NEXT_URL: 'https://pr.example.com' }),
    ]);
    expect(r.findings).toEqual([]);
    expect(r.cells).toEqual([
      {
        variable: 'URL',
        platform: 'heroku',
        environment: 'staging',
        present: true,
        readable: true,
        shape: true,
        isolated: true,
        aligned: true,
      },
      {
        variable: 'URL',
        platform: 'vercel',
        environment: 'staging',
        present: true,
        readable: true,
        shape: true,
        isolated: true,
        aligned: true,
      },
      { variable: 'ENV', platform: 'heroku', environment: 'staging', present: true, readable: true, shape: true },
    ]);
  });

  it('finds the preview target holding production’s value, and never puts a value in a finding', () => {
    const secret = 'https://prod-secret.example.com';
    const r = checkConfig(m, 'production', [
      reading('heroku', 'production', { URL: secret, ENVIRONMENT: 'production', ONLY_PROD: 'x' }),
      reading('vercel', 'production', { NEXT_URL: secret }),
      reading('vercel', 'preview', { NEXT_URL: secret }),
      reading('heroku', 'staging', {}),
    ]);
    expect(r.findings.map((f) => [f.check, f.message])).toEqual([
      [
        'isolated',
        'NEXT_URL on vercel production has the same value as NEXT_URL on vercel preview: give each environment its own (isolated: true)',
      ],
    ]);
    expect(JSON.stringify(r)).not.toContain('prod-secret');
  });

  it('describes a value by its shape only', () => {
    expect(shapeOf('rediss://u:p@cache.redis.example.com:6380')).toBe('a rediss:// URL on …example.com');
    expect(shapeOf('re_abc')).toBe('a value that is not a URL');
    expect(shapeOf('postgres://u:p@localhost/db')).toBe('a postgres:// URL');
  });
});
