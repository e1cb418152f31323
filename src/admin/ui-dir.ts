/** @module admin/ui-dir — where the built admin UI (and Swagger UI) files are. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The first existing directory of `candidates` (URLs relative to this module): the build puts the
 * files next to the compiled module (`dist/admin/…`); running from `src/` (tests, tsx) finds the
 * last build's copy under `dist/`.
 */
export function findAssetDir(name: string): string | undefined {
  for (const rel of [`./${name}/`, `../../dist/admin/${name}/`]) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  return undefined;
}
