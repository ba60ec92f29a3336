// Rules that exist only in the tests: small and predictable, so the webhook, the loader, the config, the
// formats and the exit codes are tested apart from the real catalogue, and so are the failures a real rule
// must never have (a throw, a leaked value).
import type { Rule } from '../../src/engine/types.js';
import { decodeSecret } from '../../src/kube-model/secrets.js';
import { podTemplateOf, serviceAccountOf } from '../../src/kube-model/pod-template.js';
import { isRecord } from '../../src/kube-model/types.js';
import { buildRegistry } from '../../src/rules/registry.js';

const base = {
  title: 'test rule',
  description: 'A rule that exists only in the tests.',
  example: { bad: '', good: '' },
};

// ---- The webhook's set: every path of the admission decision (deny, warn, impact, lookup failure, bug).

/** Denies a Secret whose `token` is shorter than 32 bytes; says the length, never the value. */
export const shortToken: Rule = {
  ...base,
  id: 'test-short-token',
  defaultSeverity: 'error',
  remediation: 'Use a token of at least 32 characters.',
  targets: ['Secret'],
  evaluate(object) {
    const token = decodeSecret(object).values.get('token');
    if (!token || token.length >= 32) return [];
    return [{ path: '/data/token', message: `The token is ${token.length} bytes, under 32` }];
  },
};

/** Warns about a Deployment without an `app` label. */
export const missingAppLabel: Rule = {
  ...base,
  id: 'test-missing-app-label',
  defaultSeverity: 'warning',
  remediation: 'Label it.',
  targets: ['Deployment'],
  evaluate(object) {
    return object.metadata?.labels?.['app'] ? [] : [{ path: '/metadata/labels', message: 'The Deployment has no app label' }];
  },
};

/**
 * Denies a Deployment whose ServiceAccount no binding covers: re-run when a ClusterRoleBinding changes, so
 * deleting the binding is denied while the Deployment exists.
 */
export const needsBinding: Rule = {
  ...base,
  id: 'test-needs-binding',
  defaultSeverity: 'error',
  remediation: 'Bind the ServiceAccount.',
  targets: ['Deployment'],
  affectedBy: ['ClusterRoleBinding'],
  evaluate(object, { world }) {
    const template = podTemplateOf(object);
    if (!template || object.metadata?.labels?.['needs-binding'] !== 'true') return [];
    const account = serviceAccountOf(template.spec);
    const namespace = object.metadata?.namespace ?? world.defaultNamespace;
    if (world.bindingsForServiceAccount(namespace, account).length) return [];
    return [{ path: '/spec/template/spec/serviceAccountName', message: `ServiceAccount ${namespace}/${account} is bound to nothing` }];
  },
};

/** Needs a Secret from the world; warns (never denies) when the lookup cannot be answered. */
export const needsSecret: Rule = {
  ...base,
  id: 'test-needs-secret',
  defaultSeverity: 'error',
  remediation: 'Create the Secret.',
  targets: ['DaemonSet'],
  evaluate(object, { world }) {
    const lookup = world.secret(object.metadata?.namespace ?? 'default', 'needed');
    if (lookup.state === 'found') return [];
    if (lookup.state === 'unknown') {
      return [{ path: '', message: `Could not check Secret "needed": ${lookup.reason}`, downgrade: 'warning' }];
    }
    return [{ path: '', message: 'Secret "needed" does not exist' }];
  },
};

/** A bug: throws on every Role. */
export const throwsOnRole: Rule = {
  ...base,
  id: 'test-throws',
  defaultSeverity: 'error',
  remediation: 'Fix the rule.',
  targets: ['Role'],
  evaluate() {
    throw new Error('rule bug');
  },
};

export const WEBHOOK_TEST_RULES: readonly Rule[] = [shortToken, missingAppLabel, needsBinding, needsSecret, throwsOnRole];

// ---- The check set: one finding per object, with its length and a path, for the loader, config and formats.

export const forbiddenKeyRule: Rule = {
  id: 'test-forbidden-key',
  title: 'A Secret holds a key named "forbidden"',
  defaultSeverity: 'error',
  description: 'Test-only rule: a Secret key named "forbidden" is reported with its length.',
  remediation: 'Remove the key named "forbidden".',
  targets: ['Secret'],
  example: { bad: 'kind: Secret\nstringData:\n  forbidden: x\n', good: 'kind: Secret\nstringData:\n  allowed: x\n' },
  evaluate(object) {
    const data = object.stringData;
    if (!isRecord(data) || !('forbidden' in data)) return [];
    return [{ message: `Key "forbidden" is set (${String(data.forbidden).length} bytes).`, path: '/stringData/forbidden' }];
  },
};

export const teamLabelRule: Rule = {
  id: 'test-team-label',
  title: 'A Deployment has no team label',
  defaultSeverity: 'warning',
  description: 'Test-only rule: a Deployment without a `team` label is reported.',
  remediation: 'Add a `team` label.',
  targets: ['Deployment'],
  example: { bad: 'kind: Deployment\nmetadata:\n  name: x\n', good: 'kind: Deployment\nmetadata:\n  labels: {team: a}\n' },
  evaluate(object) {
    return object.metadata?.labels?.team ? [] : [{ message: 'The Deployment has no "team" label.', path: '/metadata/labels/team' }];
  },
};

export const CHECK_TEST_RULES = buildRegistry([forbiddenKeyRule, teamLabelRule]);

/**
 * Reports on every Deployment whether Secret "shared" is in its world (in `namespace`, else the Deployment's
 * own or the default one): which world an object is judged in. `onEvaluate` counts the judgements.
 */
export function sharedSecretLookupRule(options: { namespace?: string; path?: string; onEvaluate?: () => void } = {}): Rule {
  return {
    ...base,
    id: 'test-secret-lookup',
    defaultSeverity: 'error',
    remediation: 'Create the Secret.',
    targets: ['Deployment'],
    evaluate(object, { world }) {
      options.onEvaluate?.();
      const namespace = options.namespace ?? object.metadata?.namespace ?? world.defaultNamespace;
      return [{ message: `Secret "shared" is ${world.secret(namespace, 'shared').state}.`, path: options.path ?? '' }];
    },
  };
}

// ---- Broken rules: the webhook's last line of defence against a rule's bug must hold.

/** The first CANARY-prefixed string in the object, the value the canary test plants. */
const canaryIn = (object: unknown): string | undefined => JSON.stringify(object).match(/CANARY[\w-]*/)?.[0];

/** Breaks the never-print-a-secret promise: puts the Secret's token, or a planted CANARY value, in its messages. */
export const leakyRule: Rule = {
  id: 'test-leaky',
  title: 'leaks',
  description: 'A rule that breaks the never-print-a-secret promise.',
  remediation: 'Do not.',
  defaultSeverity: 'error',
  targets: ['Secret', 'DaemonSet'],
  example: { bad: '', good: '' },
  evaluate(object) {
    const value = decodeSecret(object).values.get('token')?.toString() ?? canaryIn(object);
    return value ? [{ path: '', message: `the token is ${value}` }, { path: '/x', message: `again ${value}`, downgrade: 'warning' }] : [];
  },
};

/** A bug whose error quotes the planted CANARY value: the 500's log line must not. */
export const throwsWithValueRule: Rule = {
  ...leakyRule,
  id: 'test-throws-with-value',
  targets: ['DaemonSet'],
  evaluate(object) {
    throw new Error(`cannot parse ${canaryIn(object)}`);
  },
};

/** A bug whose TypeError quotes what it read, as V8's do ("Cannot use 'in' operator to search for … in <value>"). */
export const throwsTypeErrorRule: Rule = {
  id: 'test-throws',
  title: 'throws',
  description: 'A rule with a bug.',
  remediation: 'None.',
  defaultSeverity: 'error',
  targets: ['DaemonSet'],
  example: { bad: '', good: '' },
  evaluate(object) {
    throw new TypeError(`cannot read ${String(object.metadata?.generateName)}`);
  },
};
