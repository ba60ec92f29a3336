// docs/rules.md is generated from the registry; this fails when it is stale (run `npm run docs`).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderRuleReference } from '../../src/report/rule-reference.js';
import { RULES } from '../../src/rules/index.js';
import { CHECK_TEST_RULES } from '../support/test-rules.js';

t.test('docs/rules.md is current: regenerate it with `npm run docs`', async (t) => {
  const committed = readFileSync(fileURLToPath(new URL('../../docs/rules.md', import.meta.url)), 'utf8');
  t.equal(committed, renderRuleReference(RULES), 'docs/rules.md is stale: run `npm run build && npm run docs`');
});

t.test('the reference has, for every rule, its id, severity, why, example and fix', async (t) => {
  const reference = renderRuleReference(CHECK_TEST_RULES);
  for (const rule of CHECK_TEST_RULES) {
    t.match(reference, `| [\`${rule.id}\`](#${rule.id}) | ${rule.defaultSeverity} |`);
    const section = reference.slice(reference.indexOf(`## ${rule.id}`));
    t.match(section, `**Default severity:** ${rule.defaultSeverity}`);
    t.match(section, `**Why.** ${rule.description}`);
    t.match(section, `\`\`\`yaml\n${rule.example.bad.trimEnd()}\n\`\`\``);
    t.match(section, `\`\`\`yaml\n${rule.example.good.trimEnd()}\n\`\`\``);
    t.match(section, `**Fix.** ${rule.remediation}`);
  }
});
