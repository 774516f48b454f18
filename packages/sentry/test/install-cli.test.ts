import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tc from '@actions/tool-cache';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { silentLog } from '@wingman/log';
import { type NpmRegistrySim, startNpmRegistry } from '@wingman/testkit';
import { installSentryCli, type ToolCache } from '../src/index';

describe('installSentryCli with a tool cache passed in', () => {
  let registry: NpmRegistrySim;
  let work: string;
  let calls: string[];
  let toolCache: ToolCache;
  const saved = { cache: process.env.RUNNER_TOOL_CACHE, temp: process.env.RUNNER_TEMP };

  beforeEach(async () => {
    work = mkdtempSync(join(tmpdir(), 'sentry-install-cli-'));
    process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache');
    process.env.RUNNER_TEMP = join(work, 'temp');
    mkdirSync(process.env.RUNNER_TOOL_CACHE);
    mkdirSync(process.env.RUNNER_TEMP);
    registry = await startNpmRegistry({
      name: '@sentry/cli-linux-x64',
      version: '9.9.9',
      files: { 'bin/sentry-cli': { content: '#!/bin/sh\necho "sentry-cli 9.9.9"\n', mode: 0o755 } },
    });
    // The runner's tool cache, as the action hands it in, recording which of its calls the installer makes.
    calls = [];
    const recorded =
      <A extends unknown[], R>(name: string, call: (...args: A) => R) =>
      (...args: A): R => {
        calls.push(name);
        return call(...args);
      };
    toolCache = {
      find: recorded('find', tc.find),
      downloadTool: recorded('downloadTool', (url: string) => tc.downloadTool(url)),
      extractTar: recorded('extractTar', (file: string) => tc.extractTar(file)),
      cacheDir: recorded('cacheDir', tc.cacheDir),
    };
  });

  afterEach(async () => {
    await registry.stop();
    process.env.RUNNER_TOOL_CACHE = saved.cache;
    process.env.RUNNER_TEMP = saved.temp;
    rmSync(work, { recursive: true, force: true });
  });

  const install = (version = '9.9.9') =>
    installSentryCli({
      version,
      registry: registry.url,
      log: silentLog,
      toolCache,
      platform: 'linux',
      arch: 'x64',
      http: { retries: 0 },
    });

  it('downloads, verifies and caches through the tool cache, then finds it there', async () => {
    const binary = await install();
    expect(binary).toBe(join(process.env.RUNNER_TOOL_CACHE!, 'sentry-cli', '9.9.9', 'x64', 'bin', 'sentry-cli'));
    expect(execFileSync(binary, { encoding: 'utf8' }).trim()).toBe('sentry-cli 9.9.9');
    expect(calls).toEqual(['find', 'downloadTool', 'extractTar', 'cacheDir']);
    expect(registry.requests.map((r) => r.path)).toEqual([
      '/@sentry%2fcli-linux-x64/9.9.9',
      '/tarballs/cli-linux-x64-9.9.9.tgz',
    ]);
    calls = [];
    expect(await install()).toBe(binary);
    expect(calls).toEqual(['find']);
    expect(registry.requests).toHaveLength(2);
  });

  it('refuses a tampered tarball before unpacking or caching it', async () => {
    const evil = join(work, 'evil');
    mkdirSync(join(evil, 'package', 'bin'), { recursive: true });
    writeFileSync(join(evil, 'package', 'bin', 'sentry-cli'), '#!/bin/sh\necho pwned\n');
    execFileSync('tar', ['czf', join(work, 'evil.tgz'), '-C', evil, 'package']);
    registry.serve(readFileSync(join(work, 'evil.tgz')));
    await expect(install()).rejects.toThrow(/^@sentry\/cli-linux-x64@9\.9\.9 \(.*\) failed its integrity check/);
    expect(calls).toEqual(['find', 'downloadTool']);
  });

  it('names the package and registry when the version does not exist, before downloading anything', async () => {
    await expect(install('0.0.1')).rejects.toThrow(
      /^sentry-cli 0\.0\.1: could not read @sentry\/cli-linux-x64@0\.0\.1 from the npm registry http:\/\/127\.0\.0\.1:\d+ \(.*404.*\); check cli-version and npm-registry$/,
    );
    expect(calls).toEqual(['find']);
  });
});
