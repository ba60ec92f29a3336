import { readFileSync } from 'node:fs';
import { compiledOnFirstUse } from './lazy-validator.js';
import type { ErrorObject } from 'ajv';
import type { EngineConfig } from '../engine/engine.js';
import type { RequiredPermission, Rule } from '../engine/types.js';
import type { ConfigExemption } from '../engine/exemptions.js';
import { isRecord } from '../kube-model/types.js';
import { PointerLines } from '../manifests/ast-lines.js';
import { yaml } from '../manifests/yaml-module.js';
import { escapeSegment } from '../kube-model/json-pointer.js';
import { RULES } from '../rules/index.js';
import { ConfigError } from './errors.js';
import { CONFIG_SCHEMA, type ConfigFile } from './schema.js';

/** The validated, frozen configuration: the engine's part, and the webhook's section passed through as is. */
export interface DdguardConfig {
  engine: EngineConfig;
  webhook?: Readonly<Record<string, unknown>>;
}

const validator = compiledOnFirstUse<ConfigFile>({ allErrors: true, verbose: true }, () => CONFIG_SCHEMA);

/** Reads and validates a config file; throws one ConfigError listing every problem. */
export function loadConfigFile(path: string, rules: readonly Rule[] = RULES): DdguardConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(path, [code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error)]);
  }
  return parseConfig(text, path, rules);
}

/** Parses and validates config text (YAML or JSON), checking rule ids against `rules`. */
export function parseConfig(text: string, file: string, rules: readonly Rule[] = RULES): DdguardConfig {
  const document = yaml().parseDocument(text);
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => `${file}:${error.linePos?.[0].line ?? 1}: invalid YAML: ${firstLine(error.message)}`),
    );
  }
  const value = withoutEmptySections(document.toJS() as unknown);
  const lines = new PointerLines(text);
  const at: At = (pointer, message) => ({ line: lines.lineOf(pointer), text: `${pointer || '(top level)'}: ${message}` });
  const validate = validator();
  const problems = validate(value) ? [] : (validate.errors ?? []).map((error) => describeAjvError(error, at));
  problems.push(...ruleIdProblems(value, new Set(rules.map((rule) => rule.id)), at));
  problems.push(...exemptionProblems(value, at));
  if (problems.length > 0) {
    // In file order, so the list reads top to bottom alongside the file.
    problems.sort((a, b) => a.line - b.line);
    throw new ConfigError(file, problems.map((problem) => `${file}:${problem.line}: ${problem.text}`));
  }
  return toConfig(value as ConfigFile);
}

/** An empty file is no config; a section left empty (`exemptions:`) is no section. */
function withoutEmptySections(value: unknown): unknown {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, section]) => section !== null));
}

interface Problem {
  line: number;
  text: string;
}

type At = (pointer: string, message: string) => Problem;

function describeAjvError(error: ErrorObject, at: At): Problem {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return at(error.instancePath, `missing required field "${String(params.missingProperty)}"`);
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return at(`${error.instancePath}/${escapeSegment(field)}`, `unknown field "${field}" (allowed: ${allowed.join(', ')})`);
    }
    case 'enum':
      return at(error.instancePath, `must be one of ${(params.allowedValues as unknown[]).join(', ')}, not ${JSON.stringify(error.data)}`);
    default:
      return at(error.instancePath, error.message ?? 'is invalid');
  }
}

function ruleIdProblems(value: unknown, known: ReadonlySet<string>, at: At): Problem[] {
  const config = value as ConfigFile;
  const problems: Problem[] = [];
  const check = (id: unknown, pointer: string) => {
    if (typeof id === 'string' && !known.has(id)) problems.push(at(pointer, unknownRuleMessage(id, known)));
  };
  if (isRecord(config.severities)) {
    for (const id of Object.keys(config.severities)) check(id, `/severities/${escapeSegment(id)}`);
  }
  if (Array.isArray(config.exemptions)) {
    config.exemptions.forEach((exemption, i) => {
      if (isRecord(exemption) && Array.isArray(exemption.rules)) {
        exemption.rules.forEach((id, j) => check(id, `/exemptions/${i}/rules/${j}`));
      }
    });
  }
  return problems;
}

/** An exemption with only a reason would silence every rule on every object: almost surely a mistake. */
function exemptionProblems(value: unknown, at: At): Problem[] {
  const exemptions = (value as ConfigFile).exemptions;
  if (!Array.isArray(exemptions)) return [];
  return exemptions.flatMap((exemption, i) =>
    isRecord(exemption) && !['namespace', 'kind', 'name', 'rules'].some((field) => field in exemption)
      ? [at(`/exemptions/${i}`, 'an exemption must name at least one of namespace, kind, name or rules')]
      : [],
  );
}

function unknownRuleMessage(id: string, known: ReadonlySet<string>): string {
  const close = [...known].filter((candidate) => editDistance(id, candidate) <= 3);
  const hint = close.length > 0 ? ` (did you mean ${close.map((c) => `"${c}"`).join(' or ')}?)` : ' (`ddguard docs` lists the rules)';
  return `unknown rule id "${id}"${hint}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function toConfig(file: ConfigFile): DdguardConfig {
  const exemptions = (file.exemptions ?? []).map((e): ConfigExemption => {
    const exemption: ConfigExemption = { reason: e.reason };
    if (e.namespace !== undefined) exemption.namespace = e.namespace;
    if (e.kind !== undefined) exemption.kind = e.kind;
    if (e.name !== undefined) exemption.name = e.name;
    if (e.rules !== undefined) exemption.rules = [...e.rules];
    return exemption;
  });
  const extraClusterAgentPermissions = (file.clusterAgentPermissions ?? []).map((p): RequiredPermission => {
    const permission: RequiredPermission = { apiGroup: p.apiGroup, resource: p.resource, verbs: [...p.verbs], reason: p.reason };
    if (p.subresource !== undefined) permission.subresource = p.subresource;
    return permission;
  });
  const config: DdguardConfig = {
    engine: { severities: { ...file.severities }, exemptions, settings: { extraClusterAgentPermissions } },
  };
  if (file.webhook !== undefined) config.webhook = file.webhook;
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
