import { describe, expect, it } from '@jest/globals';
import { defineInputs, envName, input, parseDuration } from '../src/inputs';

const reader = defineInputs({
  'database-url': input.url({
    description: 'db',
    required: true,
    secret: true,
    protocols: ['postgres:', 'postgresql:'],
  }),
  'lock-timeout': input.duration({ description: 'lock', default: '5s' }),
  'lock-retries': input.integer({ description: 'retries', default: '3', min: 0, max: 20 }),
  'dry-run': input.boolean({ description: 'dry', default: 'false' }),
  direction: input.choice(['up', 'down'], { description: 'dir', default: 'up' }),
  'target-version': input.string({ description: 'v', pattern: /^\d+$/, expected: 'a migration version (digits)' }),
  'extra-files': input.list({ description: 'files' }),
  payload: input.json({ description: 'json' }),
  config: input.yaml({ description: 'yaml' }),
});

const env = (vars: Record<string, string>) =>
  Object.fromEntries(Object.entries(vars).map(([k, v]) => [envName(k), v])) as NodeJS.ProcessEnv;
const URL_ = 'postgres://app:s3cr%2Ft@db.example.test:5432/postgres';

describe('defineInputs', () => {
  it('reads INPUT_ names the way the runner writes them (upper-case, spaces to _, hyphens kept)', () => {
    expect(envName('database-url')).toBe('INPUT_DATABASE-URL');
    expect(envName('extra files')).toBe('INPUT_EXTRA_FILES');
  });

  it('applies defaults, trims, converts types and camel-cases the keys', async () => {
    const got = await reader.read(env({ 'database-url': `  ${URL_}\n`, 'extra-files': 'a.sql, b.sql\nc.sql\n\n' }));
    expect(got).toEqual({
      databaseUrl: URL_,
      lockTimeout: 5000,
      lockRetries: 3,
      dryRun: false,
      direction: 'up',
      targetVersion: undefined,
      extraFiles: ['a.sql', 'b.sql', 'c.sql'],
      payload: undefined,
      config: undefined,
    });
  });

  it('splits lists on commas, spaces and newlines, as other actions’ list inputs do', async () => {
    const got = await reader.read(
      env({ 'database-url': URL_, 'extra-files': 'backend frontend,\tworker\n  jobs ,, ' }),
    );
    expect(got.extraFiles).toEqual(['backend', 'frontend', 'worker', 'jobs']);
  });

  it('parses JSON and YAML values', async () => {
    const got = await reader.read(env({ 'database-url': URL_, payload: '{"a":[1,2]}', config: 'a: 1\nb: [x, y]' }));
    expect(got.payload).toEqual({ a: [1, 2] });
    expect(got.config).toEqual({ a: 1, b: ['x', 'y'] });
  });

  it.each([
    ['lock-timeout', 'ten', `input 'lock-timeout' must be a duration like 30s or 5m, got "ten"`],
    ['lock-retries', '2.5', `input 'lock-retries' must be a whole number in 0..20, got "2.5"`],
    ['lock-retries', '99', `input 'lock-retries' must be a whole number in 0..20, got "99"`],
    ['dry-run', 'yes', `input 'dry-run' must be true or false, got "yes"`],
    ['direction', 'sideways', `input 'direction' must be one of up, down, got "sideways"`],
    ['target-version', 'v1', `input 'target-version' must be a migration version (digits), got "v1"`],
    ['payload', '{nope', `input 'payload' must be valid JSON, got "{nope"`],
    ['config', 'a: [1', `input 'config' must be valid YAML, got "a: [1"`],
    [
      'extra-files',
      ' , \n,',
      `input 'extra-files' must be at least one name, separated by commas, spaces or newlines, got ", \\n,"`,
    ],
  ])('a bad %s fails with one line naming the input', async (name, value, message) => {
    await expect(reader.read(env({ 'database-url': URL_, [name]: value }))).rejects.toThrow(message);
  });

  it('names a missing required input and says where to set it', async () => {
    await expect(reader.read(env({}))).rejects.toThrow(
      `input 'database-url' is required: set 'database-url' under the step's with:`,
    );
  });

  it('masks a secret URL whole and its password alone, before validating, and never echoes it', async () => {
    const masked: string[] = [];
    await expect(
      reader.read(env({ 'database-url': 'mysql://u:hunter22@h/db' }), (s) => masked.push(s)),
    ).rejects.toThrow(
      `input 'database-url' must be a URL starting with postgres:// or postgresql://, got a value that is not shown (secret input)`,
    );
    // The plain forms first, then the encoded forms a server might echo (see secretParts).
    expect(masked.slice(0, 2)).toEqual(['mysql://u:hunter22@h/db', 'hunter22']);
    expect(masked).toContain(Buffer.from('hunter22').toString('base64'));
    masked.length = 0;
    await reader.read(env({ 'database-url': URL_ }), (s) => masked.push(s));
    expect(masked.slice(0, 3)).toEqual([URL_, 's3cr%2Ft', 's3cr/t']);
    expect(masked).toContain(Buffer.from('Bearer s3cr/t').toString('base64'));
  });
});

describe('inputs from the environment, as the providers’ own tools read them', () => {
  const creds = defineInputs({
    token: input.string({ description: 't', required: true, secret: true, env: 'VERCEL_TOKEN' }),
    'team-id': input.string({ description: 'team', env: 'VERCEL_ORG_ID', envMatching: /^team_/ }),
    'webhook-url': input.string({
      description: 'w',
      secret: true,
      env: 'SLACK_WEBHOOK_URL',
      envUnless: ['bot-token', 'SLACK_BOT_TOKEN'],
    }),
    'bot-token': input.string({ description: 'b', secret: true, env: 'SLACK_BOT_TOKEN', envUnless: ['webhook-url'] }),
  });

  it('takes an empty input from its variable, masks it, and reports the source, never the value', async () => {
    const masked: string[] = [];
    const sources: Record<string, string> = {};
    const r = await creds.read(
      { VERCEL_TOKEN: 'vtok-from-env', VERCEL_ORG_ID: 'team_abc' },
      (s) => masked.push(s),
      sources,
    );
    expect(r).toMatchObject({ token: 'vtok-from-env', teamId: 'team_abc' });
    expect(masked).toContain('vtok-from-env');
    expect(sources).toEqual({ token: 'VERCEL_TOKEN', 'team-id': 'VERCEL_ORG_ID' });
  });

  it('lets the input win, skips a variable that does not match, and names the variable when neither is set', async () => {
    const sources: Record<string, string> = {};
    const r = await creds.read(
      { ...env({ token: 'from-with' }), VERCEL_TOKEN: 'from-env', VERCEL_ORG_ID: 'user_personal' },
      () => {},
      sources,
    );
    expect(r).toMatchObject({ token: 'from-with', teamId: undefined });
    expect(sources).toEqual({});
    await expect(creds.read({})).rejects.toThrow(
      "input 'token' is required: set 'token' under the step's with: (or the VERCEL_TOKEN environment variable)",
    );
  });

  it('never pairs a webhook from the environment with a bot token, and a given webhook keeps the bot token out', async () => {
    const both = { VERCEL_TOKEN: 't', SLACK_WEBHOOK_URL: 'https://hooks.example.test/x', SLACK_BOT_TOKEN: 'xoxb-env' };
    expect(await creds.read(both)).toMatchObject({ botToken: 'xoxb-env', webhookUrl: undefined });
    expect(await creds.read({ ...both, ...env({ 'webhook-url': 'https://hooks.example.test/given' }) })).toMatchObject({
      botToken: undefined,
      webhookUrl: 'https://hooks.example.test/given',
    });
  });
});

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['2h', 7_200_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', '5', 'ten', '5 m', '-1s', 's'])('%j is not a duration', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});
