// One data-driven test over every rule fixture: a failing manifest set must produce the rule's finding, a
// passing one must not. Each fixture opens with a comment that says why.
import t from 'tap';
import { Engine } from '../../src/engine/engine.js';
import { RULES } from '../../src/rules/index.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { loadRuleFixtures } from '../support/fixtures.js';

const engine = new Engine(RULES);
const fixtures = loadRuleFixtures();

for (const fixture of fixtures) {
  t.test(`${fixture.ruleId}: ${fixture.file.split('/').pop()}`, async (t) => {
    t.ok(fixture.why.length > 10, 'opens with a comment that says why');
    t.ok(RULES.some((r) => r.id === fixture.ruleId), 'the folder is named after a registered rule');
    const world = new ManifestWorld(fixture.objects, { defaultNamespace: 'datadog' });
    const findings = fixture.objects.flatMap((o) => engine.evaluate(o, world));
    const mine = findings.filter((f) => f.ruleId === fixture.ruleId);
    if (fixture.expect === 'pass') {
      t.same(mine.map((f) => f.message), [], 'no finding of this rule');
    } else {
      t.ok(mine.length > 0, `the rule fires (got: ${findings.map((f) => f.ruleId).join(', ') || 'nothing'})`);
      if (fixture.severity) t.ok(mine.every((f) => f.severity === fixture.severity), `severity is ${fixture.severity}`);
      for (const f of mine) {
        t.match(f.path, /^(\/[^/]*)*$/, 'path is a JSON pointer');
        t.ok(f.message.length > 0 && f.remediation.length > 0, 'message and fix are present');
      }
    }
  });
}
