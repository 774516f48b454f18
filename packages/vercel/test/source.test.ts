// Builds from source: which files go up (the Vercel CLI's rules, secrets never), the settings and
// environments Vercel builds with, and the refusals that keep a source tree from being published as is.
import { cpSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { RecordingLog } from '@wingman/log';
import type { VercelSimulator } from '@wingman/testkit';
import { collectSource, type DeployOptions, deploy, SOURCE_IGNORES, type VercelApi } from '../src';
import { cleanup, nextApp, startVercelFixture, TEAM, tempDir, write } from './helpers';

const TOKEN = 'vercel_sim_token_source_0123456789';
const SHA = '3'.repeat(40);

describe('collectSource', () => {
  afterEach(cleanup);

  it("leaves out the CLI's default ignore list and .vercelignore's entries, and holds back every secret", async () => {
    const root = nextApp(tempDir());
    write(root, '.vercelignore', './docs\n*.log\n!.env\n');
    write(root, 'docs/readme.md', 'docs');
    write(root, 'debug.log', 'log');
    write(root, '.env.production', 'API_KEY=prod');
    write(root, '.vercel/project.json', '{"projectId":"prj_x"}');
    write(root, 'keys/id_ed25519', 'key');
    write(
      root,
      'certs/server.pem',
      '\n-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMII\n',
    );
    write(root, 'certs/ca.pem', '-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n');
    write(root, 'lib/pem.ts', 'export const HEADER = "-----BEGIN PRIVATE KEY-----";\n');
    const c = await collectSource(root);
    expect(c.kind).toBe('source');
    expect(c.files.map((f) => f.file).sort()).toEqual([
      '.vercelignore',
      'app/page.tsx',
      'certs/ca.pem',
      'lib/pem.ts',
      'next.config.mjs',
      'package.json',
      'public/index.html',
    ]);
    // .env is re-included by .vercelignore and still held back; .env.local is on the CLI's own list.
    expect(c.heldBack.map((h) => h.file).sort()).toEqual([
      '.env',
      '.env.production',
      'certs/server.pem',
      'keys/id_ed25519',
    ]);
    expect(c.heldBack.find((h) => h.file === 'certs/server.pem')!.reason).toBe('a PEM private key');
    expect(SOURCE_IGNORES).toEqual(expect.arrayContaining(['node_modules', '.git', '.next', '.vercel', '.env.local']));
  });

  it('gives the same digest for the same tree anywhere, another for one changed byte or mode', async () => {
    const a = nextApp(tempDir());
    const b = tempDir();
    cpSync(a, b, { recursive: true });
    const da = (await collectSource(a)).digest;
    expect(da).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await collectSource(b)).digest).toBe(da);
    writeFileSync(join(b, 'app/page.tsx'), 'export default function Page() { return <h1>WingmanMatch!</h1>; }\n');
    expect((await collectSource(b)).digest).not.toBe(da);
    // What is ignored does not count.
    write(a, 'node_modules/next/other.js', 'x');
    expect((await collectSource(a)).digest).toBe(da);
    symlinkSync('page.tsx', join(a, 'app/link.tsx'));
    expect((await collectSource(a)).digest).not.toBe(da);
  });
});

describe('deploy from source against the Vercel simulator', () => {
  let sim: VercelSimulator;
  let api: VercelApi;
  let project: { id: string; name: string };
  let log: RecordingLog;
  let fixture: Awaited<ReturnType<typeof startVercelFixture>>;
  let cwd: string;
  beforeEach(async () => {
    fixture = await startVercelFixture(TOKEN, 20);
    ({ sim, project, api, log } = fixture);
    cwd = process.cwd();
  });
  afterEach(async () => {
    process.chdir(cwd);
    await fixture.stop();
    cleanup();
  });

  const opts = (source: string, extra: Partial<DeployOptions> = {}): DeployOptions => ({
    api,
    projectId: project.id,
    target: 'preview',
    source,
    timeoutMs: 10_000,
    log,
    poll: { initialMs: 10, maxMs: 40 },
    git: { sha: SHA, branch: 'feature/source', owner: 'wingman-org', repo: 'wingmanmatch' },
    ...extra,
  });
  const lastCreate = () =>
    sim.requestsTo('POST', '/v13/deployments').at(-1)!.body as {
      files: { file: string }[];
      projectSettings?: Record<string, unknown>;
      env?: Record<string, string>;
      build?: { env: Record<string, string> };
      meta: Record<string, string>;
    };

  it('uploads the source, builds it with the project settings and the step overrides, and re-deploys with 0 uploads', async () => {
    const app = nextApp(tempDir());
    const r = await deploy(
      opts(app, {
        buildOverrides: { installCommand: 'npm ci' },
        env: { API_URL: 'https://api-pr-7.example.com' },
        buildEnv: { NEXT_PUBLIC_API_URL: 'https://api-pr-7.example.com' },
      }),
    );
    expect(r.kind).toBe('source');
    expect(r.deployment.readyState).toBe('READY');
    expect(r.buildSetup).toBe('package.json "build" script');
    const body = lastCreate();
    expect(body.files.map((f) => f.file)).not.toContain('.env');
    expect(body.projectSettings).toEqual({
      framework: null,
      buildCommand: null,
      installCommand: 'npm ci',
      outputDirectory: null,
      rootDirectory: null,
    });
    expect(body.env).toEqual({ API_URL: 'https://api-pr-7.example.com' });
    expect(body.build).toEqual({ env: { NEXT_PUBLIC_API_URL: 'https://api-pr-7.example.com' } });
    expect(body.meta.wingmanSourceDigest).toBe(r.digest);
    const d = sim.deployment(r.deployment.id)!;
    expect(d.prebuilt).toBe(false);
    expect(d.buildEnv).toEqual({ NEXT_PUBLIC_API_URL: 'https://api-pr-7.example.com' });
    // The build log streamed into the step's log.
    expect(log.messages('info')).toContain('Running "install" command: `npm ci`...');
    expect(r.uploaded.files).toBe(4); // package.json, next.config.mjs, app/page.tsx, public/index.html

    // The same commit, files and settings: reused. Forced: a new deployment, nothing uploaded.
    const again = await deploy(
      opts(app, {
        buildOverrides: { installCommand: 'npm ci' },
        env: { API_URL: 'https://api-pr-7.example.com' },
        buildEnv: { NEXT_PUBLIC_API_URL: 'https://api-pr-7.example.com' },
      }),
    );
    expect(again.skipped).toBe(true);
    expect(again.deployment.id).toBe(r.deployment.id);
    const forced = await deploy(opts(app, { force: true }));
    expect(forced.skipped).toBe(false);
    expect(forced.uploaded.files).toBe(0);
    // Another build environment is another deployment, even for the same commit and files.
    const other = await deploy(opts(app, { buildEnv: { NEXT_PUBLIC_API_URL: 'https://api-pr-8.example.com' } }));
    expect(other.skipped).toBe(false);
  });

  it('refuses a folder Vercel would publish as it is, naming the three ways to ship', async () => {
    const site = tempDir();
    write(site, 'index.html', '<h1>source tree</h1>');
    write(site, 'server.mjs', 'secret logic');
    const e = (await deploy(opts(site)).catch((x: unknown) => x)) as Error;
    expect(e.message).toMatch(/has nothing to build/);
    expect(e.message).toMatch(/add a build script or set 'framework'\/'build-command'/);
    expect(e.message).toMatch(/set output-dir/);
    expect(e.message).toMatch(/set static: true and output-dir/);
    expect(sim.requestsTo('POST', '/v13/deployments')).toHaveLength(0);
    // A framework set on the project (or by the step) is a build setup.
    const framework = await deploy(opts(site, { buildOverrides: { framework: 'vite' } }));
    expect(framework.buildSetup).toBe('framework vite');
  });

  it("uploads a monorepo from its root and builds the project's Root Directory; a missing one is refused", async () => {
    const mono = sim.addProject({ name: 'mono', teamId: TEAM, rootDirectory: 'apps/web', framework: 'nextjs' });
    const repo = tempDir();
    nextApp(repo, 'apps/web');
    write(repo, 'packages/ui/index.ts', 'export const Button = 1;\n');
    const r = await deploy(opts(repo, { projectId: mono.id }));
    const body = lastCreate();
    expect(body.files.map((f) => f.file)).toEqual(
      expect.arrayContaining(['apps/web/package.json', 'packages/ui/index.ts']),
    );
    expect(body.projectSettings!.rootDirectory).toBe('apps/web');
    expect(body.projectSettings!.framework).toBe('nextjs');
    expect(r.deployment.readyState).toBe('READY');

    const app = nextApp(tempDir());
    const e = (await deploy(opts(app, { projectId: mono.id })).catch((x: unknown) => x)) as Error;
    expect(e.message).toMatch(
      /has Root Directory apps\/web, which source .* does not contain: set 'source' to the repository root/,
    );
  });

  it('refuses production when its files differ from what the earlier environment built', async () => {
    const app = nextApp(tempDir());
    const staging = await deploy(opts(app));
    writeFileSync(join(app, 'app/page.tsx'), 'changed after staging');
    const e = (await deploy(opts(app, { target: 'production', expectSourceDigest: staging.digest })).catch(
      (x: unknown) => x,
    )) as Error;
    expect(e.message).toMatch(new RegExp(`not ${staging.digest} \\(expect-source-digest`));
    expect(
      sim.requestsTo('POST', '/v13/deployments').filter((q) => (q.body as { target?: string }).target === 'production'),
    ).toHaveLength(0);
  });

  it('names the line that broke a failed build and shows the last lines of its log', async () => {
    const app = nextApp(tempDir());
    sim.queueOutcome({
      state: 'ERROR',
      errorCode: 'BUILD_FAILED',
      errorMessage: 'Command "npm run build" exited with 1',
      log: [
        '> next build',
        'Failed to compile.',
        './app/page.tsx:3:7',
        "Type error: Property 'score' does not exist on type 'Match'.",
      ],
    });
    const e = (await deploy(opts(app)).catch((x: unknown) => x)) as Error;
    expect(e.message).toMatch(
      /BUILD_FAILED: Command "npm run build" exited with 1 — Type error: Property 'score' does not exist on type 'Match'\.; build logs: https:\/\/vercel.com\//,
    );
    const info = log.messages('info');
    expect(info.some((m) => /^Last \d+ line\(s\) of the build log/.test(m))).toBe(true);
    expect(info).toContain('  ./app/page.tsx:3:7');
  });

  it('checks a bypass secret against the project', async () => {
    const guarded = sim.addProject({
      name: 'guarded',
      teamId: TEAM,
      protection: 'previews',
      bypassSecrets: ['bypass-secret-0123456789abcdef'],
      framework: 'nextjs',
    });
    const app = nextApp(tempDir());
    await expect(deploy(opts(app, { projectId: guarded.id, bypassSecret: 'not-the-secret-000' }))).rejects.toThrow(
      /input 'bypass-secret' is not a Protection Bypass for Automation secret of project guarded/,
    );
    const r = await deploy(opts(app, { projectId: guarded.id, bypassSecret: 'bypass-secret-0123456789abcdef' }));
    expect(r.deployment.readyState).toBe('READY');
  });

  it('ships .vercel/output when it exists and nothing is named, the source otherwise', async () => {
    const app = nextApp(tempDir());
    write(app, '.vercel/output/config.json', '{"version":3}');
    write(app, '.vercel/output/static/index.html', '<h1>built</h1>');
    process.chdir(app);
    const r = await deploy(opts('.'));
    expect(r.kind).toBe('prebuilt');
  });
});
