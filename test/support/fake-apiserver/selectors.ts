// labelSelector and fieldSelector as the apiserver parses them: equality and set-based label
// requirements, and equality-only field requirements limited to the labels each kind supports.
import { badRequest } from './status.js';
import type { ResourceDef } from './resources.js';
import type { StoredObject } from './store.js';

type Predicate = (obj: StoredObject) => boolean;

function splitTopLevel(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else current += ch;
  }
  terms.push(current.trim());
  return terms.filter((t) => t !== '');
}

function labelRequirement(term: string): (labels: Record<string, string>) => boolean {
  const set = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in'
      ? (l) => key in l && values.has(l[key] ?? '')
      : (l) => !(key in l) || !values.has(l[key] ?? '');
  }
  const eq = /^([^!=\s]+)\s*(==|=|!=)\s*([^=!\s]*)$/.exec(term);
  if (eq) {
    const [, key = '', op, value = ''] = eq;
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  const absent = /^!\s*([^!=\s]+)$/.exec(term);
  if (absent) return (l) => !(absent[1]! in l);
  if (/^[^!=\s(),]+$/.test(term)) return (l) => term in l;
  throw badRequest(`unable to parse requirement: found '${term}', expected: a valid label selector`);
}

function valueAt(obj: unknown, dotted: string): string {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[part] : undefined;
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

function fieldRequirement(r: ResourceDef, term: string): Predicate {
  const m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
  if (!m) throw badRequest(`invalid selector: '${term}'; can't understand '${term}'`);
  const [, label = '', op, value = ''] = m;
  const path = label === 'metadata.name' || label === 'metadata.namespace' ? label : r.fieldLabels?.[label];
  if (path === undefined) throw badRequest(`field label not supported: ${label}`);
  return op === '!=' ? (o) => valueAt(o, path) !== value : (o) => valueAt(o, path) === value;
}

export function compileSelectors(r: ResourceDef, labelSelector?: string, fieldSelector?: string): Predicate {
  const labels = splitTopLevel(labelSelector ?? '').map(labelRequirement);
  const fields = (fieldSelector ?? '').split(',').filter((t) => t.trim() !== '').map((t) => fieldRequirement(r, t.trim()));
  return (obj) => {
    const objLabels = obj.metadata.labels ?? {};
    return labels.every((req) => req(objLabels)) && fields.every((req) => req(obj));
  };
}
