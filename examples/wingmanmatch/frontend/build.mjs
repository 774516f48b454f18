// Builds .vercel/output (Vercel's Build Output API v3) from public/: the deploy workflows run this in
// the job, so no build output is committed. The page carries the commit it was built from.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const out = new URL('./.vercel/output/', import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(new URL('static/', out), { recursive: true });
cpSync(new URL('./public/', import.meta.url), new URL('static/', out), { recursive: true });
// WINGMAN_COMMIT: the commit deploy.yml checked out (it may be given a ref other than the run's commit).
const commit = process.env.WINGMAN_COMMIT || process.env.GITHUB_SHA || 'local';
const index = new URL('static/index.html', out);
writeFileSync(
  index,
  readFileSync(index, 'utf8').replace('</body>', `  <footer>build ${commit.slice(0, 7)}</footer>\n  </body>`),
);
writeFileSync(new URL('config.json', out), `${JSON.stringify({ version: 3 }, null, 2)}\n`);
console.log(`built .vercel/output from public/ (commit ${commit.slice(0, 7)})`);
