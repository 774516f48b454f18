// Uploads exactly the files Vercel reported missing, in parallel, each read again from disk and checked
// against the hash it was announced with (a file changed mid-deploy must not go out under a stale SHA).
import { readFile } from 'node:fs/promises';
import type { Log } from '@wingman/log';
import type { VercelApi } from './api';
import { type DeployFile, mapLimit, sha1 } from './files';

export interface UploadResult {
  files: number;
  bytes: number;
}

export async function uploadMissing(
  api: VercelApi,
  files: readonly DeployFile[],
  missing: readonly string[],
  options: { concurrency: number; log: Log },
): Promise<UploadResult> {
  const bySha = new Map<string, DeployFile>();
  for (const f of files) if (!bySha.has(f.sha)) bySha.set(f.sha, f);
  const unknown = missing.filter((sha) => !bySha.has(sha));
  if (unknown.length) {
    throw new Error(
      `Vercel asked for ${unknown.length} file(s) this deployment does not contain (${unknown.slice(0, 3).join(', ')}): the file list changed while deploying; re-run the job`,
    );
  }
  let bytes = 0;
  await mapLimit(missing, options.concurrency, async (sha) => {
    const f = bySha.get(sha)!;
    const data = f.data ?? (await readFile(f.path!));
    if (sha1(data) !== sha) {
      throw new Error(
        `${f.path ?? f.file} changed while deploying (its SHA-1 is no longer ${sha}); re-run the job after the build finished`,
      );
    }
    await api.uploadFile(sha, data);
    bytes += data.length;
    options.log.debug(`uploaded ${f.file} (${data.length} bytes, ${sha})`);
  });
  return { files: missing.length, bytes };
}
