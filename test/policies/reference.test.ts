import t from 'tap';
import { renderRuleReference } from '../../src/report/rule-reference.js';
import { RULES } from '../../src/rules/index.js';

t.test('each rule\'s section in the reference says whether the API server enforces part of it', async (t) => {
  const reference = renderRuleReference(RULES);
  for (const rule of RULES) {
    const section = reference.slice(reference.indexOf(`## ${rule.id}\n`)).split('\n## ')[0] ?? '';
    if (rule.policy) t.ok(section.includes(`**Policy form.** Enforced by the API server too (\`ddguard policies\`): ${rule.policy.covers}`), `${rule.id}: has a policy form`);
    else t.ok(section.includes('**Policy form.** None'), `${rule.id}: has none`);
  }
  t.ok(RULES.filter((r) => r.policy).length >= 5, 'the token, kubelet host, hostname and URL rules have policy forms');
});
