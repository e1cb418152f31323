/** @module admin/static-files — serves the admin UI's built files from one directory (no listing). */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end('404 page not found\n');
}

/**
 * A handler serving `rest` (the path below the mount point; `''` = `index.html`) from `dir`; as Go's
 * file server, whatever the method (HEAD gets no body). Anything outside `dir` or missing → 404.
 */
export function staticFiles(dir: string): (req: IncomingMessage, res: ServerResponse, rest: string) => void {
  const root = normalize(dir);
  return (req, res, rest) => {
    req.resume();
    let name: string;
    try {
      name = decodeURIComponent(rest === '' ? 'index.html' : rest);
    } catch {
      return notFound(res);
    }
    const file = normalize(join(root, name));
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep) || name.includes('\0')) return notFound(res);
    readFile(file).then(
      (body) => {
        res.writeHead(200, {
          'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
          'Content-Length': String(body.length),
          'X-Content-Type-Options': 'nosniff',
          'Cache-Control': 'no-cache',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => notFound(res),
    );
  };
}
