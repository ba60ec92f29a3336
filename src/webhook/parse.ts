import type { ErrorObject } from 'ajv';
import { ADMISSION_REVIEW_SCHEMA, type AdmissionReview } from '../kube-model/admission-review.js';
import { MalformedReviewError } from './errors.js';
import { compiledOnFirstUse } from '../config/lazy-validator.js';
import { jsonErrorPlace } from '../manifests/json-error.js';
import { emptiedWhereExpected, skimManagedFields } from './managed-fields.js';

const validator = compiledOnFirstUse<AdmissionReview>({ allErrors: true, strict: true, allowUnionTypes: true }, () => ADMISSION_REVIEW_SCHEMA);

/**
 * Parses a request body into an AdmissionReview, or throws MalformedReviewError with every problem. The body
 * is parsed here rather than by Fastify because V8's JSON error quotes the input, and the input may carry a
 * Secret's values: the reason given back names the position, never the text. The objects' managedFields are
 * left out (skimManagedFields) when every one emptied is found where the review keeps it; otherwise, and for a
 * body that does not parse that way, the whole body is parsed as sent.
 */
export function parseReview(body: string): AdmissionReview {
  const skimmed = parseSkimmed(body);
  const value = skimmed ? skimmed.value : parseWhole(body);
  const validate = validator();
  if (!validate(value)) throw new MalformedReviewError(`not an AdmissionReview: ${describe(validate.errors ?? [])}`);
  return value;
}

function parseSkimmed(body: string): { value: unknown } | undefined {
  const skimmed = skimManagedFields(body);
  if (!skimmed) return undefined;
  try {
    const value: unknown = JSON.parse(skimmed.text);
    return emptiedWhereExpected(value) === skimmed.emptied ? { value } : undefined;
  } catch {
    return undefined;
  }
}

function parseWhole(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const { line, column, offset } = jsonErrorPlace(text);
    throw new MalformedReviewError(`request body is not valid JSON (at line ${line}, column ${column}, character ${offset})`);
  }
}

/** ajv's messages name the path and the rule, never the value (`verbose` is off). */
function describe(errors: readonly ErrorObject[]): string {
  const lines = errors
    .filter((e) => e.keyword !== 'if')
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${allowed(e)}`);
  return [...new Set(lines)].join('; ');
}

function allowed(error: ErrorObject): string {
  const values = (error.params as { allowedValues?: unknown[] }).allowedValues;
  return Array.isArray(values) ? ` (${values.join(', ')})` : '';
}
