// Runs before `npm start`: compiles src/ into dist/ when dist/ is missing or older than any source,
// so `npm install && npm start` works on a fresh clone. A deployment that pruned dev dependencies
// after `npm run build` has no compiler and an up-to-date dist/, and skips straight to start.
// Either way the storefront's files (copied, not compiled) are copied again when older in dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { copyStorefront } from './copy-storefront.mjs';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.tsbuildinfo');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const storefrontCopy = join(root, 'dist', 'storefront', 'public');
const storefrontSources = join(root, 'src', 'storefront', 'public');
if (
  existsSync(storefrontSources) &&
  (!existsSync(storefrontCopy) || newestMtime(storefrontSources) > newestMtime(storefrontCopy))
) {
  copyStorefront(root);
}

const sources = Math.max(newestMtime(join(root, 'src')), statSync(join(root, 'tsconfig.json')).mtimeMs);
if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) process.exit(0);

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  console.error(
    existsSync(stamp)
      ? 'dist/ is older than src/ and TypeScript is not installed: starting the old build'
      : 'dist/ is missing and TypeScript is not installed: run `npm install` first',
  );
  process.exit(existsSync(stamp) ? 0 : 1);
}
console.log('building dist/ ...');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
copyStorefront(root);
// tsc leaves its stamp alone when no TypeScript changed (only the storefront's files did): mark dist/ as current.
const now = new Date();
utimesSync(stamp, now, now);
