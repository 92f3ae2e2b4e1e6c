// Part of `npm run build` (and of build-if-needed before `npm start`): the storefront's browser files are
// served as written, so they are copied, not compiled, from src/storefront/public to dist/storefront/public.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function copyStorefront(root) {
  const target = join(root, 'dist', 'storefront', 'public');
  rmSync(target, { recursive: true, force: true });
  cpSync(join(root, 'src', 'storefront', 'public'), target, { recursive: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) copyStorefront(fileURLToPath(new URL('..', import.meta.url)));
