// The check between download and unpack: the file must match the registry's npm `dist.integrity`.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Checks a file against an npm `dist.integrity` (SRI: "sha512-<base64>", possibly several). */
export async function verifyIntegrity(file: string, integrity: string, what: string): Promise<void> {
  const strength = ['sha512', 'sha384', 'sha256'];
  const hashes = integrity
    .trim()
    .split(/\s+/)
    .map((h) => {
      const dash = h.indexOf('-');
      return { algorithm: h.slice(0, dash), digest: h.slice(dash + 1).split('?')[0] ?? '' };
    })
    .filter((h) => strength.includes(h.algorithm))
    .sort((a, b) => strength.indexOf(a.algorithm) - strength.indexOf(b.algorithm));
  const expected = hashes[0];
  if (!expected) {
    throw new Error(
      `${what}: the registry gives no sha512/sha384/sha256 integrity ("${integrity}"), so the download cannot be verified; use another registry or set cli-path`,
    );
  }
  const hash = createHash(expected.algorithm);
  await new Promise<void>((resolve, reject) => {
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve())
      .on('error', reject);
  });
  const actual = hash.digest('base64');
  if (actual !== expected.digest) {
    throw new Error(
      `${what} failed its integrity check: the registry says ${expected.algorithm}-${expected.digest}, the download is ${expected.algorithm}-${actual}; it was corrupted or tampered with: re-run, and check the npm-registry input`,
    );
  }
}
