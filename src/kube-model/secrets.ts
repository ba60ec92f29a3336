import type { KubeObject } from './types.js';
import { isRecord } from './types.js';
import { remembered } from './memo.js';

/** A Secret's values as the API server would store them. Values are kept as bytes and never logged. */
export interface DecodedSecret {
  object: KubeObject;
  /** key -> bytes; `stringData` wins over `data` for the same key, as on the API server. */
  values: ReadonlyMap<string, Buffer>;
  /** key -> why its `data` value could not be decoded. */
  invalid: ReadonlyMap<string, string>;
  /** Where each key came from, for JSON pointers in findings. */
  origin: ReadonlyMap<string, 'data' | 'stringData'>;
}

// The API server decodes `data` with Go's base64.StdEncoding: padded, standard alphabet; only CR and LF are
// skipped. Node's Buffer.from(…, 'base64') accepts far more, so validate first.
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodeBase64(encoded: string): Buffer | undefined {
  const compact = encoded.replace(/[\r\n]/g, '');
  return STRICT_BASE64.test(compact) ? Buffer.from(compact, 'base64') : undefined;
}

/** Several rules measure the same Secret: decoded once per judgement (src/kube-model/memo.ts). */
export function decodeSecret(object: KubeObject): DecodedSecret {
  return remembered('decodedSecret', object, () => decodeUncached(object));
}

function decodeUncached(object: KubeObject): DecodedSecret {
  const values = new Map<string, Buffer>();
  const invalid = new Map<string, string>();
  const origin = new Map<string, 'data' | 'stringData'>();
  const data = isRecord(object['data']) ? object['data'] : {};
  for (const [key, raw] of Object.entries(data)) {
    if (raw === null || raw === undefined) continue;
    const decoded = typeof raw === 'string' ? decodeBase64(raw) : undefined;
    if (decoded) {
      values.set(key, decoded);
      origin.set(key, 'data');
    } else {
      invalid.set(key, typeof raw === 'string' ? 'is not valid base64' : `is a ${typeof raw}, not a base64 string`);
    }
  }
  const stringData = isRecord(object['stringData']) ? object['stringData'] : {};
  for (const [key, raw] of Object.entries(stringData)) {
    if (raw === null || raw === undefined) continue;
    values.set(key, Buffer.from(String(raw), 'utf8'));
    origin.set(key, 'stringData');
    invalid.delete(key);
  }
  return { object, values, invalid, origin };
}
