import { readFileSync, type Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ManifestInputError, type InputProblem } from './errors.js';
import type { LoadedObject } from './loaded-object.js';
import { parseManifests, readManifests } from './parse.js';

export const STDIN_PATH = '-';
/** How findings name standard input. */
export const STDIN_NAME = '<stdin>';

const MANIFEST_EXTENSION = /\.(ya?ml|json)$/i;

export interface LoadOptions {
  /** Reads standard input; injectable for tests. */
  readStdin?: () => Promise<string>;
  /** Empty standard input is a rendering that produced nothing (a failed `helm template` upstream): a problem
   * unless the caller expects it. */
  allowEmpty?: boolean;
}

export interface LoadResult {
  objects: LoadedObject[];
  /** Files read, in order (standard input as `<stdin>`). */
  files: string[];
}

export interface StreamResult {
  /** Files read, in order (standard input as `<stdin>`). */
  files: string[];
  /** Paths that could not be read and documents that did not parse, in order; the rest was read. */
  problems: InputProblem[];
}

export const NO_STDIN = 'no input on stdin (an upstream command such as helm template may have failed; pass --allow-empty if nothing is expected)';

/**
 * Reads files, directories (recursively: `.yaml`, `.yml`, `.json`) and `-` for standard input, in the order
 * given, each file once. A file named explicitly is read whatever its extension. Throws the first path that
 * cannot be read or document that does not parse.
 */
export async function loadManifests(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const objects: LoadedObject[] = [];
  const files = await expandPaths(paths, (problem) => {
    throw new ManifestInputError(problem.file, problem.message);
  });
  for (const file of files) {
    const text = file === STDIN_NAME ? await (options.readStdin ?? readStandardInput)() : await readText(file);
    for (const object of parseManifests(text, file)) objects.push(object);
  }
  return { objects, files };
}

/**
 * As loadManifests, handing each object to `onObject` as soon as its document is parsed, one file in memory at
 * a time; a path that cannot be read or a document that does not parse is recorded and the rest is read.
 */
export async function streamManifests(
  paths: readonly string[],
  onObject: (object: LoadedObject) => void,
  options: LoadOptions = {},
): Promise<StreamResult> {
  const problems: InputProblem[] = [];
  const files = await expandPaths(paths, (problem) => problems.push(problem));
  const read: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = file === STDIN_NAME ? await (options.readStdin ?? readStandardInput)() : await readText(file);
    } catch (error: unknown) {
      if (!(error instanceof ManifestInputError)) throw error;
      problems.push({ file, message: error.reason });
      continue;
    }
    read.push(file);
    if (file === STDIN_NAME && !options.allowEmpty && text.trim() === '') {
      problems.push({ file, message: NO_STDIN });
      continue;
    }
    for (const error of readManifests(text, file, onObject, file !== STDIN_NAME)) problems.push({ file, line: error.line, message: error.reason });
  }
  return { files: read, problems };
}

async function expandPaths(paths: readonly string[], onProblem: (problem: InputProblem) => void): Promise<string[]> {
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
    try {
      const info = await statOrThrow(path);
      if (info.isDirectory()) {
        for (const file of await walkDirectory(path, new Set(), onProblem)) add(file, await realpath(file));
      } else if (info.isFile()) {
        add(path, await realpath(path));
      } else {
        throw new ManifestInputError(path, 'not a file or a directory');
      }
    } catch (error: unknown) {
      if (!(error instanceof ManifestInputError)) throw error;
      onProblem({ file: error.path, message: error.reason });
    }
  }
  return files;
}

/**
 * Manifest files under `dir`, sorted so runs are reproducible. Hidden directories and node_modules are not
 * entered: they hold CI workflows and packages, not manifests. Symlinked directories are followed once.
 */
async function walkDirectory(dir: string, visited: Set<string>, onProblem: (problem: InputProblem) => void): Promise<string[]> {
  const real = await realpath(dir);
  if (visited.has(real)) return [];
  visited.add(real);
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error: unknown) {
    // An unreadable directory is reported; its siblings are still read.
    onProblem({ file: dir, message: describeFsError(error) });
    return [];
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const info = entry.isSymbolicLink() ? await stat(path).catch(() => undefined) : entry;
    if (info?.isDirectory()) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules') files.push(...(await walkDirectory(path, visited, onProblem)));
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
    // One synchronous read per file: the promise API's file handles cost more than the read at this size.
    return readFileSync(file, 'utf8');
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
