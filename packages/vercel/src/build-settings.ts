// What Vercel runs for a build from source: the project's settings (Settings → Build and Deployment),
// each overridable per deployment, and the check that the uploaded folder has something to build.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VercelProject } from './api';
import { OutputDirError } from './files';

/** The `projectSettings` of a deployment (POST /v13/deployments); null means "the framework's default". */
export interface BuildSettings {
  framework: string | null;
  buildCommand: string | null;
  installCommand: string | null;
  outputDirectory: string | null;
  rootDirectory: string | null;
  nodeVersion?: string;
}

export type BuildOverrides = Partial<
  Pick<BuildSettings, 'framework' | 'buildCommand' | 'installCommand' | 'outputDirectory'>
>;

/** The project's settings with the step's overrides on top. */
export function buildSettings(project: VercelProject, overrides: BuildOverrides = {}): BuildSettings {
  const pick = (k: keyof BuildOverrides) => overrides[k] || project[k] || null;
  return {
    framework: pick('framework'),
    buildCommand: pick('buildCommand'),
    installCommand: pick('installCommand'),
    outputDirectory: pick('outputDirectory'),
    rootDirectory: normalizeRoot(project.rootDirectory),
    ...(project.nodeVersion ? { nodeVersion: project.nodeVersion } : {}),
  };
}

export const normalizeRoot = (dir: string | null | undefined): string | null =>
  dir ? dir.replace(/^\.?\/+|\/+$/g, '') || null : null;

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** What tells Vercel how to build the app in `appDir`, or undefined when nothing does. */
export function buildSetupOf(appDir: string, settings: BuildSettings): string | undefined {
  if (settings.buildCommand) return `build command \`${settings.buildCommand}\``;
  if (settings.framework) return `framework ${settings.framework}`;
  const pkg = readJson(join(appDir, 'package.json'));
  const scripts = pkg?.scripts as Record<string, unknown> | undefined;
  if (typeof scripts?.build === 'string') return 'package.json "build" script';
  const vercelJson = readJson(join(appDir, 'vercel.json'));
  if (vercelJson && (vercelJson.buildCommand || vercelJson.builds || vercelJson.framework)) return 'vercel.json';
  return undefined;
}

/**
 * Refuses a source folder Vercel would publish as it is (no framework, no build command, no build
 * script): that is how a repository's source ends up on the web.
 */
export function checkBuildSetup(source: string, project: VercelProject, settings: BuildSettings): string {
  const appDir = settings.rootDirectory ? join(source, settings.rootDirectory) : source;
  if (settings.rootDirectory && !existsSync(appDir)) {
    throw new OutputDirError(
      `project ${project.name} has Root Directory ${settings.rootDirectory}, which source ${source} does not contain: set 'source' to the repository root (Vercel builds <source>/${settings.rootDirectory})`,
    );
  }
  const setup = buildSetupOf(appDir, settings);
  if (setup) return setup;
  const where = settings.rootDirectory ? `${source}/${settings.rootDirectory}` : source;
  throw new OutputDirError(
    `${where} has nothing to build (no package.json "build" script, no vercel.json build, and project ${project.name} has no framework or build command): for an app, add a build script or set 'framework'/'build-command'; for a \`vercel build\` output, set output-dir; for a plain folder, set static: true and output-dir`,
  );
}
