import type { CheckedObject } from './report.js';

/** Objects by file, in the order the files were read (JUnit has a suite per file). */
export function groupByFile(objects: readonly CheckedObject[]): Map<string, CheckedObject[]> {
  const files = new Map<string, CheckedObject[]>();
  for (const object of objects) {
    const list = files.get(object.file);
    if (list) list.push(object);
    else files.set(object.file, [object]);
  }
  return files;
}
