// The runner's side of installing sentry-cli: @actions/tool-cache, handed to @wingman/sentry's installer.
import * as tc from '@actions/tool-cache';
import { type InstallCliOptions, installSentryCli as installWith, type ToolCache } from '@wingman/sentry';

const runnerToolCache: ToolCache = {
  find: tc.find,
  downloadTool: tc.downloadTool,
  extractTar: tc.extractTar,
  cacheDir: tc.cacheDir,
};

/** Path of the sentry-cli executable, from this runner's tool cache or installed into it. */
export function installSentryCli(options: Omit<InstallCliOptions, 'toolCache'>): Promise<string> {
  return installWith({ ...options, toolCache: runnerToolCache });
}
