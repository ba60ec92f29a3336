// Small test-only rules that exercise every path of the webhook's decision, independent of the real rules.
import type { Rule } from '../../src/engine/types.js';
import { decodeSecret } from '../../src/k8s/secrets.js';
import { podTemplateOf, serviceAccountOf } from '../../src/k8s/podTemplate.js';

const base = {
  title: 'test rule',
  description: 'A rule that exists only in the webhook tests.',
  example: { bad: '', good: '' },
};

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

export const TEST_RULES: readonly Rule[] = [shortToken, missingAppLabel, needsBinding, needsSecret, throwsOnRole];
