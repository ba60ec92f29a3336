import type { KubeObject } from '../kube-model/types.js';
import { decodeSecret } from '../kube-model/secrets.js';
import { podTemplateOf, containersOf } from '../kube-model/pod-template.js';

/** Shorter values are too likely to be ordinary words to cut out of a message. */
const MIN_SECRET_LENGTH = 6;
const SECRET_LOOKING_NAME = /TOKEN|KEY|SECRET|PASSWORD|PASSWD|CREDENTIAL/i;

/**
 * The values in the objects under review that must never be echoed: a Secret's values (decoded and as
 * sent) and literal env values with secret-looking names. Rules promise never to print a value; this is the
 * backstop applied to everything the webhook answers.
 */
export function secretValuesIn(objects: readonly (KubeObject | null | undefined)[]): string[] {
  const values = new Set<string>();
  for (const object of objects) {
    if (!object) continue;
    if (object.kind === 'Secret') addSecretValues(object, values);
    addSecretLookingEnvValues(object, values);
  }
  return [...values].map((v) => v.trim()).filter((v) => v.length >= MIN_SECRET_LENGTH);
}

function addSecretValues(secret: KubeObject, values: Set<string>): void {
  // Only strings: a type-confused value (an array nested thousands deep) is no secret the answer could echo.
  for (const map of [secret['data'], secret['stringData']]) {
    if (!map || typeof map !== 'object') continue;
    for (const v of Object.values(map)) if (typeof v === 'string') values.add(v);
  }
  for (const bytes of decodeSecret(secret).values.values()) values.add(bytes.toString('utf8'));
}

function addSecretLookingEnvValues(object: KubeObject, values: Set<string>): void {
  const template = podTemplateOf(object);
  for (const { container } of template ? containersOf(template.spec) : []) {
    for (const env of Array.isArray(container.env) ? container.env : []) {
      if (SECRET_LOOKING_NAME.test(env?.name ?? '') && typeof env.value === 'string') values.add(env.value);
    }
  }
}

/** `text` with every occurrence of the values replaced by a marker. */
export function scrub(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of values) if (out.includes(value)) out = out.split(value).join('[redacted]');
  return out;
}
