// The pieces of an answer: warning budget, denial wording, deadlines.
import t from 'tap';
import type { Finding } from '../../src/engine/types.js';
import { deadlineFor, parseGoDuration } from '../../src/webhook/deadline.js';
import { decide } from '../../src/webhook/decision.js';
import { fitWarnings, runeLength, shorten, warningText, WARNING_TOTAL_RUNES } from '../../src/webhook/warnings.js';

const subject = { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'monitoring', name: 'datadog' };

function finding(ruleId: string, severity: 'error' | 'warning', message: string, extra: Partial<Finding> = {}): Finding {
  return { ruleId, severity, message, remediation: 'Fix it like this.', object: subject, path: '', ...extra };
}

t.test('a denial sums up, then one line per problem', async (t) => {
  const decision = decide({
    subject,
    findings: [finding('rule-a', 'error', 'A is wrong'), finding('rule-b', 'error', 'B is wrong!'), finding('rule-c', 'warning', 'C is odd')],
    lookupFailures: [],
    config: { mode: 'enforce', lookupFailure: 'allow' },
  });
  t.equal(decision.allowed, false);
  t.equal(
    decision.message,
    'ddguard denied DaemonSet monitoring/datadog: 2 problems\n[rule-a] A is wrong. Fix it like this.\n[rule-b] B is wrong! Fix it like this.',
  );
  t.same(decision.denyingRules, ['rule-a', 'rule-b']);
  t.same(decision.warnings, ['[rule-c] C is odd']);
});

t.test('a cluster-scoped subject has no namespace in the summary', async (t) => {
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'datadog' };
  const decision = decide({
    subject: role,
    findings: [finding('rule-a', 'error', 'A is wrong')],
    lookupFailures: [],
    config: { mode: 'enforce', lookupFailure: 'allow' },
  });
  t.match(decision.message, /^ddguard denied ClusterRole datadog: 1 problem\n\[rule-a\] DaemonSet monitoring\/datadog: A is wrong\./);
});

t.test('warnings are deduplicated, short, and within the 4096-rune budget', async (t) => {
  t.same(fitWarnings(['[a] same', '[a] same', '[b] other']), ['[a] same', '[b] other']);
  const about = warningText('[rule-x] Deployment datadog/datadog-cluster-agent: ', `Could not check: ${'reason '.repeat(30)}`);
  t.match(about, /^\[rule-x\] Deployment datadog\/datadog-cluster-agent: Could not check: reason reason .*…$/, 'the prefix is never what gets cut');

  const long = `[rule] The DaemonSet datadog/datadog reads one kubelet for every node in the cluster: then ${'more words '.repeat(20)}`;
  const cut = shorten(long);
  t.ok(runeLength(cut) <= 120, `cut to ${runeLength(cut)} runes`);
  t.equal(cut, '[rule] The DaemonSet datadog/datadog reads one kubelet for every node in the cluster…', 'cut at a clause boundary');
  t.equal(shorten(`[rule] ${'word '.repeat(40)}`), `[rule] ${'word '.repeat(21)}word…`, 'else at a word');

  const many = Array.from({ length: 60 }, (_, i) => `[rule-${i}] ${'w'.repeat(100)}`);
  const fitted = fitWarnings(many);
  const total = fitted.reduce((sum, w) => sum + runeLength(w), 0);
  t.ok(total <= WARNING_TOTAL_RUNES, `total ${total}`);
  t.match(fitted.at(-1), /^…and \d+ more ddguard warnings\.$/);
  const kept = fitted.length - 1;
  t.equal(fitted.at(-1), `…and ${60 - kept} more ddguard warnings.`);

  t.equal(runeLength('🙂é'), 2, 'runes, not UTF-16 units, as the API server counts');
});

t.test('the deadline is the API server timeout minus a margin', async (t) => {
  const clock = () => 1_000_000;
  t.equal(deadlineFor('10s', undefined, clock).remainingMs(), 9_000);
  t.equal(deadlineFor('2s', undefined, clock).remainingMs(), 1_500, 'short timeouts keep a proportional margin');
  t.equal(deadlineFor(undefined, undefined, clock).remainingMs(), 9_000, 'no ?timeout= means the v1 default of 10 s');
  t.equal(deadlineFor('banana', undefined, clock).remainingMs(), 9_000);
  t.equal(deadlineFor('100ms', undefined, clock).remainingMs(), 250, 'never less than the minimum');
  t.equal(parseGoDuration('1m30s'), 90_000);
  t.equal(parseGoDuration('1.5s'), 1_500);
  t.equal(parseGoDuration('10'), undefined);
});
