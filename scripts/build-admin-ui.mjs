// Bundles the admin UI (src/admin/ui, Preact + centrifuge-js) into dist/admin/ui with esbuild, and
// copies Swagger UI's static files (swagger-ui-dist) into dist/admin/swagger-ui: nothing is fetched
// from a CDN at run time.
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const out = 'dist/admin/ui';
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['src/admin/ui/main.tsx'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outfile: join(out, 'app.js'),
  legalComments: 'none',
  logLevel: 'warning',
});
cpSync('src/admin/ui/index.html', join(out, 'index.html'));
cpSync('src/admin/ui/app.css', join(out, 'app.css'));

const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const swaggerOut = 'dist/admin/swagger-ui';
mkdirSync(swaggerOut, { recursive: true });
for (const f of ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'LICENSE']) cpSync(join(swaggerDir, f), join(swaggerOut, f));
