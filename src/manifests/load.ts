import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ManifestInputError } from './errors.js';
import type { LoadedObject } from './loadedObject.js';
import { parseManifests } from './parse.js';

export const STDIN_PATH = '-';
/** How findings name standard input. */
export const STDIN_NAME = '<stdin>';

const MANIFEST_EXTENSION = /\.(ya?ml|json)$/i;

export interface LoadOptions {
  /** Reads standard input; injectable for tests. */
  readStdin?: () => Promise<string>;
}

export interface LoadResult {
  objects: LoadedObject[];
  /** Files read, in order (standard input as `<stdin>`). */
  files: string[];
}

/**
 * Reads files, directories (recursively: `.yaml`, `.yml`, `.json`) and `-` for standard input, in the order
 * given, each file once. A file named explicitly is read whatever its extension.
 */
export async function loadManifests(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const files = await expandPaths(paths);
  const objects: LoadedObject[] = [];
  for (const file of files) {
    const text = file === STDIN_NAME ? await (options.readStdin ?? readStandardInput)() : await readText(file);
    for (const object of parseManifests(text, file)) objects.push(object);
  }
  return { objects, files };
}

async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (file: string, key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    files.push(file);
  };
  for (const path of paths) {
    if (path === STDIN_PATH) {
      add(STDIN_NAME, STDIN_NAME);
      continue;
    }
    const info = await statOrThrow(path);
    if (info.isDirectory()) {
      for (const file of await walkDirectory(path, new Set())) add(file, await realpath(file));
    } else if (info.isFile()) {
      add(path, await realpath(path));
    } else {
      throw new ManifestInputError(path, 'not a file or a directory');
    }
  }
  return files;
}

/**
 * Manifest files under `dir`, sorted so runs are reproducible. Hidden directories and node_modules are not
 * entered: they hold CI workflows and packages, not manifests. Symlinked directories are followed once.
 */
async function walkDirectory(dir: string, visited: Set<string>): Promise<string[]> {
  const real = await realpath(dir);
  if (visited.has(real)) return [];
  visited.add(real);
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const info = entry.isSymbolicLink() ? await stat(path).catch(() => undefined) : entry;
    if (info?.isDirectory()) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules') files.push(...(await walkDirectory(path, visited)));
    } else if (info?.isFile() && MANIFEST_EXTENSION.test(entry.name)) {
      files.push(path);
    }
  }
  return files;
}

async function statOrThrow(path: string) {
  try {
    return await stat(path);
  } catch (error: unknown) {
    throw new ManifestInputError(path, describeFsError(error));
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error: unknown) {
    throw new ManifestInputError(file, describeFsError(error));
  }
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
