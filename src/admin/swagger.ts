/**
 * @module admin/swagger — `swagger: true`: the OpenAPI document of the HTTP server API and Swagger UI
 * (swagger-ui-dist, copied into `dist/admin/swagger-ui` by the build; no CDN) at
 * `swagger_handler_prefix` (default `/swagger`) on the internal listener:
 * `GET /swagger/` → the UI, `GET /swagger/openapi.json` → the document.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Router } from '../app/http.js';
import type { Logger } from '../core/logger.js';
import { buildOpenApi } from './openapi.js';
import { staticFiles } from './static-files.js';
import { findAssetDir } from './ui-dir.js';

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Rotor server API</title>
    <link rel="stylesheet" href="swagger-ui.css" />
    <link rel="icon" type="image/png" href="favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="swagger-ui-bundle.js"></script>
    <script src="swagger-initializer.js"></script>
  </body>
</html>
`;
const INITIALIZER = `window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

function send(res: ServerResponse, type: string, body: string | Buffer): void {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': String(b.length), 'Cache-Control': 'no-cache' });
  res.end(b);
}

export function mountSwagger(router: Router, o: { prefix: string; apiPrefix: string; version: string; logger: Logger }): void {
  const base = o.prefix === '/' ? '' : o.prefix;
  const doc = Buffer.from(JSON.stringify(buildOpenApi(o.version, o.apiPrefix), null, 2));
  const dir = findAssetDir('swagger-ui', 'swagger-ui-bundle.js');
  if (dir === undefined) o.logger.warn('Swagger UI files not found (run `npm run build`): only /swagger/openapi.json is served');
  const files = dir !== undefined ? staticFiles(dir) : undefined;
  const handle = (req: IncomingMessage, res: ServerResponse, rest: string): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': '0' });
      res.end();
      return;
    }
    if (rest === 'openapi.json') return send(res, 'application/json', doc);
    if (rest === '' || rest === 'index.html') return send(res, 'text/html; charset=utf-8', PAGE);
    if (rest === 'swagger-initializer.js') return send(res, 'text/javascript; charset=utf-8', INITIALIZER);
    if (files !== undefined) return files(req, res, rest);
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
  };
  if (base !== '') {
    router.exact(base, 'swagger', (_req, res) => {
      res.writeHead(301, { Location: `${base}/` });
      res.end();
    });
  }
  router.exact(`${base}/`, 'swagger', (req, res) => handle(req, res, ''));
  router.under(o.prefix, 'swagger', handle);
}
