// deploy's source: pack the app directory, upload the tarball to the presigned URL Heroku hands out, and
// keep the tarball on disk until the build that reads it has been created.

import { createHttpClient, type HttpClientOptions } from '@wingman/http';
import { HerokuError } from './errors';
import { fileBody } from './file-body';
import type { RunContext } from './run-context';
import { herokuSourceShape } from './shapes';
import { createSourceTarball } from './tarball';
import type { HerokuSource } from './types';

export interface SourceOptions {
  appDir: string;
  /** Extra gitignore-style patterns left out of the tarball. */
  exclude?: string[];
  /** Recorded as the build's source_blob.version (a commit SHA). */
  version: string;
  tmpDir?: string;
}

/** What a build is created from: where Heroku fetches the upload, and the checksum that names it. */
export interface SourceBlob {
  url: string;
  version: string;
  checksum: string;
}

/** Packs and uploads the app's source, hands its blob to `use` (which creates the build), then removes the tarball. */
export async function withUploadedSource<T>(
  ctx: RunContext,
  source: SourceOptions,
  use: (blob: SourceBlob) => Promise<T>,
): Promise<T> {
  const { log } = ctx;
  const tarball = await log.group(`Packing ${source.appDir}`, async () => {
    const t = await createSourceTarball(source.appDir, { exclude: source.exclude, tmpDir: source.tmpDir });
    log.info(`${t.entries.length} entries, ${(t.size / 1e6).toFixed(1)} MB gzip, SHA256:${t.sha256}`);
    return t;
  });
  ctx.report.source = { files: tarball.entries.length, bytes: tarball.size, sha256: tarball.sha256 };
  try {
    // Safe to repeat (an unused upload URL expires): retried like a GET.
    const urls = await ctx.api.post<HerokuSource>(
      '/sources',
      undefined,
      'create a source upload URL',
      herokuSourceShape,
      { idempotent: true },
    );
    await log.group('Uploading the source', async () => {
      await putTarball(urls.source_blob.put_url, tarball.path, tarball.size, ctx.options.http);
      log.info(`uploaded ${(tarball.size / 1e6).toFixed(1)} MB`);
    });
    return await use({
      url: urls.source_blob.get_url,
      version: source.version,
      checksum: `SHA256:${tarball.sha256}`,
    });
  } finally {
    await tarball.dispose();
  }
}

/** PUT to the presigned put_url: streamed from disk, Content-Length set, no Content-Type (not signed). */
async function putTarball(
  putUrl: string,
  path: string,
  size: number,
  http?: Partial<HttpClientOptions>,
): Promise<void> {
  const u = new URL(putUrl);
  const signatures = ['X-Amz-Signature', 'Signature', 'X-Amz-Credential'].map(
    (k) => u.searchParams.get(k) ?? undefined,
  );
  // No token here: the URL is the credential, and it is not Heroku's API.
  const client = createHttpClient({
    baseUrl: u.origin,
    provider: 'Heroku source upload',
    timeoutMs: 120_000,
    ...http,
    secrets: signatures.filter((s): s is string => !!s),
  });
  try {
    await client.request('PUT', `${u.pathname}${u.search}`, {
      bodyStream: () => fileBody(path),
      headers: { 'content-length': String(size), accept: '*/*' },
      responseType: 'text',
    });
  } catch (err) {
    throw new HerokuError(`uploading the source tarball to Heroku failed: ${(err as Error).message}`, 'upload_failed');
  } finally {
    await client.close();
  }
}
