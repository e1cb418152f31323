/** @module version — the package version, read once from package.json (same relative path from src/ and dist/). */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') return pkg.version;
  return '0.0.0';
}

/** Rotor's version (`package.json` `version`). */
export const VERSION: string = readVersion();
