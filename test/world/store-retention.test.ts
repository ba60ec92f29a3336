// `check` keeps only what another object's rules can ask about (src/world/store-retention.ts). These tests run
// every rule over every rule fixture (over the official corpus: test/shared-corpus/store-retention), and fail
// when a rule asks the World about a kind `check` lets go, or when streaming changes a single finding.
import t from 'tap';
import { loadRuleFixtures } from '../support/fixtures.js';
import { askedKinds } from '../support/asked-kinds.js';

t.test('rules ask the World only about what check keeps: every rule fixture', async (t) => {
  const fixtures = loadRuleFixtures();
  t.ok(fixtures.length > 20, 'the rule fixtures are there');
  t.same(askedKinds(fixtures.map((f) => ({ name: f.file, objects: f.objects })), 'datadog'), []);
});

