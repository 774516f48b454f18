// Files that never go to Vercel, whatever .vercelignore says: environment files, private keys and the
// CLI's project link. The Vercel CLI itself uploads `.env` and `.env.production` from a source folder;
// on Vercel those would sit in the build's file system and, from a static folder, be served publicly.

const ENV_FILE = /^\.env/;
const KEY_EXTENSIONS = /\.(key|p12|pfx|jks|keystore)$/i;
const SSH_KEYS = /^id_(rsa|dsa|ecdsa|ed25519)$/;

/** Why a path (POSIX, relative to the folder) is held back, or undefined when it may go up. */
export function heldBackReason(rel: string): string | undefined {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  if (ENV_FILE.test(name)) return 'an environment file (.env*)';
  if (KEY_EXTENSIONS.test(name) || SSH_KEYS.test(name)) return 'a private key file';
  if (rel === '.vercel/project.json' || rel.endsWith('/.vercel/project.json')) return "the Vercel CLI's project link";
  return undefined;
}

const PEM_BEGIN = Buffer.from('-----BEGIN ');
const PRIVATE_KEY = Buffer.from('PRIVATE KEY-----');

/**
 * A file that starts (after white space) with a PEM block holding a private key, whatever its name
 * (server.pem, a key saved as .txt). Only the start counts: source code that mentions the marker in a
 * string literal is not a key.
 */
export function looksLikePrivateKey(head: Buffer): boolean {
  let i = 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  // The key may follow a certificate in the same bundle.
  return head.indexOf(PEM_BEGIN, i) === i && head.includes(PRIVATE_KEY);
}
