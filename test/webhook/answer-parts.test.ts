// The pieces of an answer: warning budget, denial wording, deadlines.
import t from 'tap';
import type { Finding } from '../../src/engine/types.js';
import { deadlineFor, parseGoDuration } from '../../src/world/deadline.js';
import { decide } from '../../src/webhook/decision.js';
import { eventMessage, EVENT_MESSAGE_MAX_BYTES } from '../../src/audit/periodic.js';
import { AUDIT_ANNOTATION_KEY_MAX, AUDIT_ANNOTATION_VALUE_MAX_BYTES, AUDIT_ANNOTATIONS_MAX, auditAnnotationsFor } from '../../src/webhook/audit-annotations.js';
import { fitWarnings, warningText, WARNING_ITEM_MAX_RUNES, WARNING_TOTAL_RUNES } from '../../src/webhook/warnings.js';
import { runeLength, shorten } from '../../src/report/shorten.js';

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
  t.same(decision.warnings, ['[rule-c] C is odd (more: ddguard explain rule-c, docs/rules.md#rule-c)']);
  t.same(Object.keys(decision.auditAnnotations), ['rule-a', 'rule-b', 'rule-c'], 'every finding, denying or not, in the audit log');
  t.equal(decision.auditAnnotations['rule-a'], '[rule-a] DaemonSet monitoring/datadog: A is wrong. Fix: Fix it like this. More: `ddguard explain rule-a` or docs/rules.md#rule-a.');
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
  const cut = shorten(long, 120);
  t.ok(runeLength(cut) <= 120, `cut to ${runeLength(cut)} runes`);
  t.equal(cut, '[rule] The DaemonSet datadog/datadog reads one kubelet for every node in the cluster…', 'cut at a clause boundary');
  t.equal(shorten(`[rule] ${'word '.repeat(40)}`, 120), `[rule] ${'word '.repeat(21)}word…`, 'else at a word');
  t.ok(runeLength(shorten('x '.repeat(400))) <= WARNING_ITEM_MAX_RUNES, 'by default within the API server\'s 256 runes per warning');
  // Runes, not UTF-16 units: a text of emoji is cut at 120 runes, never inside a surrogate pair.
  const emoji = `[rule] ${'🐶 dog; '.repeat(40)}`;
  const emojiCut = shorten(emoji, 120);
  t.ok(runeLength(emojiCut) <= 120 && runeLength(emojiCut) > 60, `emoji cut to ${runeLength(emojiCut)} runes`);
  t.notMatch(emojiCut, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'no half of a pair left');
  t.equal(shorten(`[rule] ${'🐶'.repeat(100)}`, 120), `[rule] ${'🐶'.repeat(100)}`, '107 runes in 207 units fit in 120 runes');

  const many = Array.from({ length: 60 }, (_, i) => `[rule-${i}] ${'w'.repeat(100)}`);
  const fitted = fitWarnings(many);
  const total = fitted.reduce((sum, w) => sum + runeLength(w), 0);
  t.ok(total <= WARNING_TOTAL_RUNES, `total ${total}`);
  t.match(fitted.at(-1), /^…and \d+ more ddguard warnings\.$/);
  const kept = fitted.length - 1;
  t.equal(fitted.at(-1), `…and ${60 - kept} more ddguard warnings.`);

  t.equal(runeLength('🙂é'), 2, 'runes, not UTF-16 units, as the API server counts');
});

t.test('each warning names its rule and where to read more, within 256 runes, even when the text is long', async (t) => {
  const long = `The Cluster Agent token in Secret datadog/datadog-cluster-agent is 30 bytes; the Agent requires at least 32. ${'Node Agents will log an error and never reach the Cluster Agent. '.repeat(5)}`;
  const decision = decide({
    subject,
    findings: [finding('cluster-agent-token-length', 'error', long), finding('kubelet-host-per-node', 'warning', long, { object: { ...subject, name: 'x'.repeat(40) } })],
    lookupFailures: [],
    config: { mode: 'warn', lookupFailure: 'allow' },
  });
  t.equal(decision.allowed, true, 'warn mode admits');
  t.equal(decision.warnings.length, 2);
  for (const warning of decision.warnings) {
    const id = /^\[([a-z-]+)\]/.exec(warning)?.[1] ?? '';
    t.ok(runeLength(warning) <= WARNING_ITEM_MAX_RUNES, `${runeLength(warning)} runes: never cut by the API server`);
    t.match(warning, new RegExp(`\\(more: ddguard explain ${id}, docs/rules\\.md#${id}\\)$`), `${id}: the pointer is whole`);
    t.match(warning, /… \(more:/, `${id}: the text is what was shortened`);
  }
  const huge = 'y'.repeat(200);
  const squeezed = warningText(`[rule-z] DaemonSet ns/${huge}: `, long, [' (more: ddguard explain rule-z, docs/rules.md#rule-z)', ' (ddguard explain rule-z)']);
  t.match(squeezed, / \(ddguard explain rule-z\)$/, 'a very long name leaves room for the short pointer only');

  const many = Array.from({ length: 40 }, (_, i) => finding(`rule-${i}`, 'warning', long));
  const crowded = decide({ subject, findings: many, lookupFailures: [], config: { mode: 'warn', lookupFailure: 'allow' } });
  t.ok(crowded.warnings.reduce((sum, w) => sum + runeLength(w), 0) <= WARNING_TOTAL_RUNES, 'the list stays within 4096 runes');
  t.match(crowded.warnings.at(-1), /^…and \d+ more ddguard warnings\.$/);
  t.equal(Object.keys(crowded.auditAnnotations).length, AUDIT_ANNOTATIONS_MAX, 'the audit log gets a bounded number of entries');
  t.match(crowded.auditAnnotations['more'], /^9 more findings: run `ddguard audit`/);
  t.match(crowded.auditAnnotations['rule-0'], /Node Agents will log .*Fix: Fix it like this\. More: `ddguard explain rule-0`/, 'whole, with the fix');
});

t.test('auditAnnotations follow the API\'s rules for keys and stay bounded', async (t) => {
  const annotations = auditAnnotationsFor([
    { key: 'rule-a', text: 'one' },
    { key: 'rule-a', text: 'two' },
    { key: `${'k'.repeat(70)}-`, text: 'é'.repeat(AUDIT_ANNOTATION_VALUE_MAX_BYTES) },
    { key: '--bad key!', text: 'x' },
  ]);
  const keys = Object.keys(annotations);
  t.same(keys.slice(0, 2), ['rule-a', 'rule-a-2'], 'a rule with several findings gets numbered keys');
  for (const key of keys) {
    t.ok(key.length <= AUDIT_ANNOTATION_KEY_MAX && /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(key), `${key}: a qualified name's name part`);
  }
  t.ok(keys.includes('bad-key'));
  for (const value of Object.values(annotations)) t.ok(Buffer.byteLength(value) <= AUDIT_ANNOTATION_VALUE_MAX_BYTES, `${Buffer.byteLength(value)} bytes`);
  t.match(annotations['k'.repeat(63)], /…$/, 'a long value is cut on a character and says so');
});

t.test('the periodic audit\'s Event carries the fix and the pointer, within 1 KiB', async (t) => {
  const short = eventMessage(finding('rule-a', 'error', 'A is wrong'));
  t.equal(short, '[rule-a] DaemonSet monitoring/datadog: A is wrong. Fix: Fix it like this. More: `ddguard explain rule-a` or docs/rules.md#rule-a.');
  const long = eventMessage(finding('rule-a', 'error', `${'A very long explanation. '.repeat(80)}`));
  t.ok(Buffer.byteLength(long) <= EVENT_MESSAGE_MAX_BYTES, `${Buffer.byteLength(long)} bytes`);
  t.match(long, /… Fix: Fix it like this\. More: `ddguard explain rule-a` or docs\/rules\.md#rule-a\.$/, 'only the explanation is shortened');
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
