import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DEFAULT_SHA,
  inputEnvName,
  nodeRuntimes,
  parseActionMetadata,
  parseFileCommand,
  parseWorkflowCommands,
  runAction,
} from '../src/run-action';

// A stand-in action speaking the runner protocol the way @actions/core 3 does: file commands
// with ghadelimiter_<uuid> heredocs, workflow commands with the toolkit's escaping.
const PROTOCOL_SCRIPT = `
import { appendFileSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { EOL } from 'node:os';

const escapeData = (s) => s.replace(/%/g, '%25').replace(/\\r/g, '%0D').replace(/\\n/g, '%0A');
const escapeProperty = (s) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const command = (name, props, message) => {
  const p = Object.entries(props).map(([k, v]) => k + '=' + escapeProperty(String(v))).join(',');
  process.stdout.write('::' + name + (p ? ' ' + p : '') + '::' + escapeData(message) + EOL);
};
const fileCommand = (envName, key, value) => {
  const delimiter = 'ghadelimiter_' + randomUUID();
  appendFileSync(process.env[envName], key + '<<' + delimiter + EOL + value + EOL + delimiter + EOL);
};
const input = (name) => (process.env['INPUT_' + name.replace(/ /g, '_').toUpperCase()] || '').trim();

const secret = input('api-token');
command('add-mask', {}, secret);
command('group', {}, 'Apply migrations');
console.log('applying to ' + input('database-url'));
command('error', { file: 'supabase/migrations/001_init.sql', line: 3, endLine: 4, col: 5, title: 'Migration failed: 001_init.sql' },
  'relation "users" already exists\\nat statement 2: create table users (id int, name text)');
command('warning', { file: 'a,b:c.sql' }, '100% done');
command('notice', {}, 'plain notice');
command('debug', {}, 'debug detail');
command('endgroup', {}, '');
console.log('::stop-commands::pause-token-1');
console.log('::error::not a command while stopped');
console.log('::pause-token-1::');

const event = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH, 'utf8'));
fileCommand('GITHUB_OUTPUT', 'applied', '3');
fileCommand('GITHUB_OUTPUT', 'report', 'line one\\nline two');
appendFileSync(process.env.GITHUB_OUTPUT, 'plain=a=b' + EOL);
fileCommand('GITHUB_OUTPUT', 'node-version', process.versions.node);
fileCommand('GITHUB_OUTPUT', 'event-after', event.after);
fileCommand('GITHUB_OUTPUT', 'pusher', event.pusher.name);
fileCommand('GITHUB_OUTPUT', 'inherited-inputs', Object.keys(process.env).filter((k) => k.startsWith('INPUT_')).sort().join(' '));
fileCommand('GITHUB_OUTPUT', 'cwd', process.cwd());
fileCommand('GITHUB_ENV', 'DEPLOYED_SHA', process.env.GITHUB_SHA);
fileCommand('GITHUB_STATE', 'cleanup-id', 'abc');
appendFileSync(process.env.GITHUB_PATH, '/opt/wingman/bin' + EOL);
appendFileSync(process.env.GITHUB_STEP_SUMMARY, '## Migrations' + EOL + EOL + '| file | status |' + EOL + '|---|---|' + EOL + '| 001_init.sql | failed |' + EOL);
process.exitCode = Number(input('exit-code') || '0');
`;

describe('nodeRuntimes', () => {
  it('finds node20 and node24, each really that major', () => {
    const runtimes = nodeRuntimes();
    expect(runtimes.map((r) => r.name)).toEqual(expect.arrayContaining(['node20', 'node24']));
    for (const runtime of runtimes) {
      const version = execFileSync(runtime.path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      expect(version).toBe(runtime.version);
      expect(`node${version.split('.')[0]}`).toBe(runtime.name);
    }
  });
});

describe('runAction', () => {
  let dir: string;
  let script: string;
  const foreignInput = 'INPUT_SHOULD-NOT-LEAK';
  const foreignOutput = 'GITHUB_OUTPUT';
  let savedOutput: string | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'testkit-run-action-'));
    script = join(dir, 'protocol.mjs');
    writeFileSync(script, PROTOCOL_SCRIPT);
    // As when the suite itself runs inside a GitHub job: none of this may reach the action.
    process.env[foreignInput] = 'leak';
    savedOutput = process.env[foreignOutput];
    process.env[foreignOutput] = join(dir, 'outer-job-output');
  });
  afterAll(() => {
    delete process.env[foreignInput];
    if (savedOutput === undefined) delete process.env[foreignOutput];
    else process.env[foreignOutput] = savedOutput;
    rmSync(dir, { recursive: true, force: true });
  });

  describe.each(nodeRuntimes().filter((r) => r.name === 'node20' || r.name === 'node24'))('on $name', (runtime) => {
    it('round-trips inputs, outputs, summary, env, state, path, annotations, masks and groups', async () => {
      const result = await runAction({
        script,
        node: runtime,
        inputs: { 'database-url': 'postgres://db.example/app', 'api-token': 's3cr3t-value', 'exit-code': 0 },
      });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.timedOut).toBe(false);
      expect(result.durationMs).toBeGreaterThan(0);
      expect(result.fileCommandErrors).toEqual([]);

      expect(result.outputs).toEqual({
        applied: '3',
        report: 'line one\nline two',
        plain: 'a=b',
        'node-version': runtime.version,
        'event-after': DEFAULT_SHA,
        pusher: 'octocat',
        'inherited-inputs': 'INPUT_API-TOKEN INPUT_DATABASE-URL INPUT_EXIT-CODE',
        cwd: result.workspace,
      });
      expect(result.env).toEqual({ DEPLOYED_SHA: DEFAULT_SHA });
      expect(result.state).toEqual({ 'cleanup-id': 'abc' });
      expect(result.path).toEqual(['/opt/wingman/bin']);
      expect(result.summary).toContain('| 001_init.sql | failed |');
      expect(result.stdout).toContain('applying to postgres://db.example/app');

      expect(result.masks).toEqual(['s3cr3t-value']);
      expect(result.commands.map((c) => c.command)).toEqual([
        'add-mask',
        'group',
        'error',
        'warning',
        'notice',
        'debug',
        'endgroup',
      ]);
      expect(result.commands.find((c) => c.command === 'group')?.message).toBe('Apply migrations');
      expect(result.annotations).toEqual([
        {
          level: 'error',
          message: 'relation "users" already exists\nat statement 2: create table users (id int, name text)',
          file: 'supabase/migrations/001_init.sql',
          line: 3,
          endLine: 4,
          col: 5,
          title: 'Migration failed: 001_init.sql',
        },
        { level: 'warning', message: '100% done', file: 'a,b:c.sql' },
        { level: 'notice', message: 'plain notice' },
      ]);
    });
  });

  it('gives the child the runner environment and none of the parent INPUT_/GITHUB_ variables', async () => {
    const result = await runAction({ script, inputs: { 'api-token': 'x', 'unset one': undefined } });
    const env = result.childEnv;
    expect(env[foreignInput]).toBeUndefined();
    expect(env.GITHUB_OUTPUT).not.toBe(join(dir, 'outer-job-output'));
    expect(existsSync(join(dir, 'outer-job-output'))).toBe(false);
    expect(env.INPUT_UNSET_ONE).toBeUndefined();
    expect(env.NODE_OPTIONS).toBeUndefined();
    expect(env).toMatchObject({
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      RUNNER_OS: 'Linux',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: DEFAULT_SHA,
      GITHUB_REPOSITORY: 'wingman-org/wingmanmatch',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'https://api.github.com',
      GITHUB_WORKSPACE: result.workspace,
      RUNNER_TEMP: result.runnerTemp,
    });
    for (const key of [
      'GITHUB_RUN_ID',
      'GITHUB_WORKFLOW',
      'GITHUB_JOB',
      'GITHUB_ACTOR',
      'GITHUB_EVENT_PATH',
      'GITHUB_STATE',
      'GITHUB_PATH',
      'GITHUB_ENV',
    ]) {
      expect(env[key]).toBeTruthy();
    }
    expect(env.PATH?.split(':').some((d) => d.includes('node_modules/.bin'))).toBe(false);
    // Temp files and the default workspace are gone afterwards.
    expect(existsSync(result.runnerTemp)).toBe(false);
    expect(existsSync(result.workspace)).toBe(false);
  });

  it('derives GITHUB_SHA/REF/REPOSITORY from a given event and reports the exit code', async () => {
    const sha = 'a'.repeat(40);
    const result = await runAction({
      script,
      inputs: { 'exit-code': 2 },
      eventName: 'pull_request',
      event: {
        number: 17,
        pull_request: { head: { sha } },
        repository: { full_name: 'acme/app' },
        sender: { login: 'dependabot[bot]' },
        pusher: { name: 'n/a' },
        after: sha,
      },
    });
    expect(result.exitCode).toBe(2);
    expect(result.childEnv).toMatchObject({
      GITHUB_SHA: sha,
      GITHUB_REF: 'refs/pull/17/merge',
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_ACTOR: 'dependabot[bot]',
    });
  });

  it('kills an action that outlives timeoutMs', async () => {
    const hang = join(dir, 'hang.mjs');
    writeFileSync(hang, 'setInterval(() => {}, 1000);\n');
    const result = await runAction({ script: hang, timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGTERM');
    expect(result.exitCode).toBeNull();
  });

  it('honours action.yml: runs.main on runs.using, input defaults with expressions, unexpected inputs', async () => {
    const actionDir = join(dir, 'fake-action');
    mkdirSync(join(actionDir, 'dist'), { recursive: true });
    writeFileSync(
      join(actionDir, 'action.yml'),
      `name: Fake
description: |
  A fake action: used by the harness test.
inputs:
  token:
    description: GitHub token
    default: \${{ github.token }}
  repository:
    description: 'where'
    required: false
    default: "\${{ github.repository }}"
  retries:
    description: how often
    default: '3' # comment
  database-url:
    description: >
      Postgres URL
    required: true
runs:
  using: node20
  main: dist/index.mjs
`,
    );
    writeFileSync(
      join(actionDir, 'dist', 'index.mjs'),
      `import { appendFileSync } from 'node:fs';
const out = (k, v) => appendFileSync(process.env.GITHUB_OUTPUT, k + '=' + v + '\\n');
out('token', process.env.INPUT_TOKEN);
out('repository', process.env.INPUT_REPOSITORY);
out('retries', process.env.INPUT_RETRIES);
out('database-url', process.env['INPUT_DATABASE-URL'] ?? '<unset>');
out('major', process.versions.node.split('.')[0]);
`,
    );
    const result = await runAction('fake', {
      actionDir,
      githubToken: 'ghs_abc',
      inputs: { retries: 5, 'databse-url': 'typo' },
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({
      token: 'ghs_abc',
      repository: 'wingman-org/wingmanmatch',
      retries: '5',
      'database-url': '<unset>',
      major: '20',
    });
    expect(result.runnerWarnings).toEqual([
      "Unexpected input(s) 'databse-url', valid inputs are ['token', 'repository', 'retries', 'database-url']",
    ]);
  });

  it('says how to fix a missing bundle', async () => {
    await expect(runAction('no-such-action')).rejects.toThrow(
      /dist\/no-such-action\/index\.js does not exist; build the bundle first/,
    );
  });
});

describe('protocol parsers', () => {
  it('names inputs like the runner: upper case, spaces to underscores, hyphens kept', () => {
    expect(inputEnvName('database-url')).toBe('INPUT_DATABASE-URL');
    expect(inputEnvName('dry run')).toBe('INPUT_DRY_RUN');
  });

  it('parses heredoc and plain file commands and reports malformed ones', () => {
    const errors: string[] = [];
    const parsed = parseFileCommand('a=1\r\nb<<EOF\r\nx\r\n\r\ny=z\r\nEOF\r\n\nc=d<<e\nbroken\n', errors);
    expect(parsed).toEqual({ a: '1', b: 'x\n\ny=z', c: 'd<<e' });
    expect(errors).toEqual(["Invalid format 'broken'"]);
    const unterminated: string[] = [];
    expect(parseFileCommand('k<<END\nvalue\n', unterminated)).toEqual({});
    expect(unterminated).toEqual(["Invalid value. Matching delimiter not found 'END'"]);
  });

  it('unescapes properties and messages with the runner mappings, %25 last', () => {
    const [cmd] = parseWorkflowCommands(
      '  ::error file=dir%2Cx%3Ay.sql,title=50%25%0Aoff::line%0D%0Anext %3A kept %2525\n',
    );
    expect(cmd).toEqual({
      command: 'error',
      properties: { file: 'dir,x:y.sql', title: '50%\noff' },
      message: 'line\r\nnext %3A kept %25',
      stream: 'stdout',
    });
    expect(parseWorkflowCommands('no command here\n::\n:: ::\n')).toEqual([]);
  });

  it('reads inputs and runs from action.yml', () => {
    const meta = parseActionMetadata(
      "inputs:\n  a:\n    default: 'it''s'\n  b:\n    required: true\nruns:\n  using: 'node24'\n  main: ../../dist/x/index.js\n",
    );
    expect(meta).toEqual({
      inputs: { a: { default: "it's" }, b: { required: true } },
      using: 'node24',
      main: '../../dist/x/index.js',
    });
  });
});
