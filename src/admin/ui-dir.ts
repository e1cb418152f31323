/** @module admin/ui-dir — where the built admin UI (and Swagger UI) files are. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory holding the build output `name` (recognised by its `marker` file): the build puts
 * it next to the compiled module (`dist/admin/<name>`); running from `src/` (tests, tsx) finds the
 * last build's copy under `dist/` (never the UI sources in `src/admin/ui`).
 */
export function findAssetDir(name: string, marker: string): string | undefined {
  for (const rel of [`./${name}/`, `../../dist/admin/${name}/`]) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, marker))) return dir;
  }
  return undefined;
}
