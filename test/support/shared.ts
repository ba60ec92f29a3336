// Paths into ../shared for the shared-corpus suite (test/shared-corpus): read in place, never copied here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdmissionReview } from '../../src/kube-model/admission-review.js';
import { SHARED } from './suites.js';

export { SHARED };
export const CORPUS = join(SHARED, 'corpus');
export const CAPTURED = join(SHARED, 'captured-admission');
export const CAPTURED_CHART = join(CAPTURED, 'datadog-chart');

/** Every YAML file of the official corpus, values files aside. */
export function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.rendered\.ya?ml$|\.ya?ml$/.test(entry.name) && !entry.name.endsWith('.values.yaml')) out.push(path);
    }
  };
  walk(CORPUS);
  return out.sort();
}

/** A review a real API server sent, parsed afresh so a test may change it. */
export function captured(file: string): AdmissionReview {
  return JSON.parse(readFileSync(join(CAPTURED, file), 'utf8')) as AdmissionReview;
}

/** The official Datadog chart's install, review by review, in the order the API server sent them. */
export function chartReviews(): { file: string; review: AdmissionReview }[] {
  return readdirSync(CAPTURED_CHART)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, review: JSON.parse(readFileSync(join(CAPTURED_CHART, file), 'utf8')) as AdmissionReview }));
}
