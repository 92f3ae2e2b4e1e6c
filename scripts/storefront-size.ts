/**
 * npm run storefront:size — the storefront's own HTML, JavaScript and CSS, each file gzipped (level 9) as a
 * browser would receive it compressed, and the total against the 40 KB budget. Also run by
 * tests/unit/storefront-size.test.ts, which fails over budget.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const STOREFRONT_BUDGET_BYTES = 40 * 1024;
const MEASURED = new Set(['.html', '.js', '.css']);

export interface StorefrontSize {
  files: Array<{ file: string; bytes: number; gzipped: number }>;
  bytes: number;
  gzipped: number;
}

export function measureStorefront(dir = path.join(__dirname, '..', 'src', 'storefront', 'public')): StorefrontSize {
  const files: StorefrontSize['files'] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const name = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(name);
      else if (MEASURED.has(path.extname(name))) {
        const body = readFileSync(path.join(dir, name));
        files.push({ file: name, bytes: body.length, gzipped: gzipSync(body, { level: 9 }).length });
      }
    }
  };
  walk('');
  files.sort((a, b) => b.gzipped - a.gzipped);
  return {
    files,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    gzipped: files.reduce((sum, f) => sum + f.gzipped, 0),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

if (require.main === module) {
  const size = measureStorefront();
  for (const f of size.files)
    process.stdout.write(`${f.file.padEnd(28)} ${kb(f.bytes).padStart(9)} ${kb(f.gzipped).padStart(9)} gzipped\n`);
  process.stdout.write(
    `storefront: ${size.files.length} files, ${kb(size.bytes)}, ${kb(size.gzipped)} gzipped of a ${kb(STOREFRONT_BUDGET_BYTES)} budget\n`,
  );
  process.exit(size.gzipped <= STOREFRONT_BUDGET_BYTES ? 0 : 1);
}
