// Bundles the admin UI (src/admin/ui, Preact + centrifuge-js) into dist/admin/ui with esbuild, and
// copies Swagger UI's static files (swagger-ui-dist) into dist/admin/swagger-ui: nothing is fetched
// from a CDN at run time.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  legalComments: 'none', // licences: LICENSES.txt below
  logLevel: 'warning',
});
cpSync('src/admin/ui/index.html', join(out, 'index.html'));
cpSync('src/admin/ui/app.css', join(out, 'app.css'));
// The bundle contains Preact and centrifuge-js (both MIT): ship their licence texts with it.
const require = createRequire(import.meta.url);
const licence = (pkg) => `${pkg}\n${'='.repeat(pkg.length)}\n${readFileSync(join('node_modules', pkg, 'LICENSE'), 'utf8')}`;
writeFileSync(join(out, 'LICENSES.txt'), ['preact', 'centrifuge'].map(licence).join('\n'));

const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'));
const swaggerOut = 'dist/admin/swagger-ui';
mkdirSync(swaggerOut, { recursive: true });
for (const f of ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'LICENSE']) cpSync(join(swaggerDir, f), join(swaggerOut, f));
