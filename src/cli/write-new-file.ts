/** @module cli/write-new-file — writes a generated file, refusing to overwrite an existing one. */
import { writeFile } from 'node:fs/promises';
import { ConfigError } from '../config/index.js';

/** Writes `text` to `file` (mode 0600, exclusive). Throws ConfigError naming the file when it exists or can not be written. */
export async function writeNewFile(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'EEXIST' ? 'output file already exists' : `can not write file: ${(err as Error).message}`;
    throw new ConfigError([{ path: file, message }], { cause: err });
  }
}
