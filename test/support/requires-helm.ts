// Imported first by every test file of test/chart: where the linux x86-64 helm/kubectl cannot run the file is one skip.
import t from 'tap';
import { HELM_SUITE } from './suites.js';

const reason = HELM_SUITE.missing();
if (reason) {
  t.plan(0, reason);
  process.exit(0);
}
