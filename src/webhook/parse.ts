import { Ajv, type ErrorObject } from 'ajv';
import { ADMISSION_REVIEW_SCHEMA, type AdmissionReview } from '../kube-model/admission-review.js';
import { MalformedReviewError } from './errors.js';
import { compiledOnFirstUse } from '../config/lazy-validator.js';
import { jsonErrorPlace } from '../manifests/json-error.js';

const validator = compiledOnFirstUse(() =>
  new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile<AdmissionReview>(ADMISSION_REVIEW_SCHEMA),
);

/**
 * Parses a request body into an AdmissionReview, or throws MalformedReviewError with every problem. The body
 * is parsed here rather than by Fastify because V8's JSON error quotes the input, and the input may carry a
 * Secret's values: the reason given back names the position, never the text.
 */
export function parseReview(body: string): AdmissionReview {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    const { line, column, offset } = jsonErrorPlace(body);
    throw new MalformedReviewError(`request body is not valid JSON (at line ${line}, column ${column}, character ${offset})`);
  }
  const validate = validator();
  if (!validate(value)) throw new MalformedReviewError(`not an AdmissionReview: ${describe(validate.errors ?? [])}`);
  return value;
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
