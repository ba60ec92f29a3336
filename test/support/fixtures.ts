import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/kube-model/types.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RULE_FIXTURES = join(ROOT, 'test', 'fixtures', 'rules');

export interface RuleFixture {
  ruleId: string;
  file: string;
  expect: 'pass' | 'fail';
  /** From a `# severity: warning` line: the severity the failing finding must have. */
  severity?: 'error' | 'warning';
  /** The opening comment: why this manifest passes or fails. */
  why: string;
  objects: KubeObject[];
}

/** Reads test/fixtures/rules/<rule-id>/{pass,fail}.<case>.yaml. */
export function loadRuleFixtures(): RuleFixture[] {
  if (!existsSync(RULE_FIXTURES)) return [];
  return readdirSync(RULE_FIXTURES).sort().flatMap((ruleId) =>
    readdirSync(join(RULE_FIXTURES, ruleId))
      .filter((f) => /^(pass|fail)\..+\.ya?ml$/.test(f))
      .sort()
      .map((f) => loadFixture(ruleId, join(RULE_FIXTURES, ruleId, f))),
  );
}

export function loadFixture(ruleId: string, file: string): RuleFixture {
  const text = readFileSync(file, 'utf8');
  const comments = text.split('\n').filter((l) => l.startsWith('#')).map((l) => l.replace(/^#\s?/, ''));
  const severity = comments.map((c) => /^severity:\s*(error|warning)\s*$/.exec(c)?.[1]).find(Boolean);
  const why = comments.filter((c) => !/^severity:/.test(c)).join(' ').trim();
  const objects = parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null && typeof o === 'object');
  const expect = file.split('/').pop()!.startsWith('pass.') ? 'pass' : 'fail';
  const fixture: RuleFixture = { ruleId, file, expect, why, objects };
  if (severity) fixture.severity = severity as 'error' | 'warning';
  return fixture;
}
