// Imported first by every test file of test/shared-corpus: where ../shared is absent the file is one skip.
import t from 'tap';
import { SHARED_SUITE } from './suites.js';

const reason = SHARED_SUITE.missing();
if (reason) {
  t.plan(0, reason);
  process.exit(0);
}
