import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RecordingLog } from '@wingman/log';
import { VercelSimulator } from '@wingman/testkit';
import { createVercelApi, deploy, type VercelApi } from '../src';

const dirs: string[] = [];

export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function tempDir(prefix = 'vercel-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function write(root: string, rel: string, content: string | Buffer, mode?: number): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
  if (mode !== undefined) chmodSync(p, mode);
}

/** A small `vercel build` output: config.json, static files, one function with a symlink and an executable. */
export function prebuiltOutput(root: string, opts: { version?: string; target?: string } = {}): string {
  const out = join(root, '.vercel', 'output');
  write(out, 'config.json', JSON.stringify({ version: 3, routes: [{ handle: 'filesystem' }] }));
  if (opts.target) write(out, 'builds.json', JSON.stringify({ target: opts.target, builds: [] }));
  write(out, 'static/index.html', `<h1>WingmanMatch ${opts.version ?? '1'}</h1>`);
  write(out, 'static/app.js', 'console.log("app")');
  write(out, 'static/logo.svg', '<svg/>');
  write(
    out,
    'functions/api/hello.func/.vc-config.json',
    JSON.stringify({ runtime: 'nodejs20.x', handler: 'index.js' }),
  );
  write(out, 'functions/api/hello.func/index.js', 'export default () => new Response("hi")');
  write(out, 'functions/api/hello.func/bin/tool', '#!/bin/sh\necho hi\n', 0o755);
  symlinkSync('hello.func', join(out, 'functions/api/hi.func'));
  return out;
}

/** A Next.js-shaped app: package.json with a build script, app code, public/, and what must stay home. */
export function nextApp(root: string, dir = ''): string {
  const at = (rel: string) => (dir ? `${dir}/${rel}` : rel);
  write(root, at('package.json'), JSON.stringify({ name: 'web', scripts: { build: 'next build' } }));
  write(root, at('next.config.mjs'), 'export default {};\n');
  write(root, at('app/page.tsx'), 'export default function Page() { return <h1>WingmanMatch</h1>; }\n');
  write(root, at('public/index.html'), '<h1>WingmanMatch</h1>');
  write(root, at('node_modules/next/package.json'), '{"name":"next"}');
  write(root, at('.next/cache/x'), 'cache');
  write(root, at('.env'), 'DATABASE_URL=postgres://u:p@db/x');
  write(root, at('.env.local'), 'TOKEN=local');
  write(root, '.git/HEAD', 'ref: refs/heads/main');
  return root;
}

export const TEAM = 'team_wingman000000000000000000';

/** The Vercel simulator with one team project ('web', production domain wingmanmatch.app) and an API client for it. */
export async function startVercelFixture(token: string, stepMs: number) {
  const sim = new VercelSimulator({ token, teams: [{ id: TEAM, slug: 'wingman' }], stepMs });
  await sim.start();
  const project = sim.addProject({ name: 'web', teamId: TEAM, domains: [{ name: 'wingmanmatch.app' }] });
  const api: VercelApi = createVercelApi({ token, teamId: TEAM, apiUrl: sim.url, minDelayMs: 5 });
  /** A prebuilt deployment of the project (or another), with these aliases; its id. */
  const deployWith = async (target: string, aliases: string[] = [], projectId = project.id) => {
    const dir = tempDir();
    prebuiltOutput(dir, { version: String(Math.random()) });
    const r = await deploy({
      api,
      projectId,
      target,
      outputDir: `${dir}/.vercel/output`,
      timeoutMs: 10_000,
      aliases,
      log: new RecordingLog(),
      poll: { initialMs: 5, maxMs: 20 },
      git: { sha: '1111111111111111111111111111111111111111', branch: 'feat' },
    });
    return r.deployment.id;
  };
  return {
    sim,
    project,
    api,
    deployWith,
    log: new RecordingLog(),
    async stop() {
      await api.close();
      await sim.stop();
      cleanup();
    },
  };
}
