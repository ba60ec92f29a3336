// The line scanner against the YAML parser over the official Datadog corpus (../shared/corpus): every pointer
// of every document, the documents restyled, and the documents with comments and spacing slipped in.
import '../support/requires-shared.js';
import t from 'tap';
import { CORPUS } from '../support/shared.js';
import { checkEdited, checkRestyled, compareAll, yamlFiles } from '../support/line-differential.js';

const files = yamlFiles(CORPUS);

t.test('differential: every pointer of every corpus document, the scanner answers as the parser does', async (t) => {
  t.ok(files.length >= 20, `${files.length} corpus files`);
  const tally = compareAll(files);
  t.same(tally.mismatches.slice(0, 20), [], 'no pointer where the scanner and the parser disagree');
  const share = tally.answered / tally.pointers;
  t.comment(`corpus: ${tally.documents} documents, ${tally.pointers} pointers, scanner answered ${tally.answered} (${(share * 100).toFixed(2)}%)`);
  t.ok(tally.pointers > 10_000, 'a corpus large enough to mean something');
  t.ok(share > 0.95, `the scanner answers for the large majority of pointers (${(share * 100).toFixed(2)}%)`);
});

t.test('differential: the corpus written again in other styles (compact sequences, 4 spaces, flow, folded, quoted)', async (t) => {
  checkRestyled(t, files);
});

t.test('differential: the corpus with comments at any indentation, blank lines and wider spacing slipped in', async (t) => {
  t.ok(checkEdited(t, files).documents > 300);
});
