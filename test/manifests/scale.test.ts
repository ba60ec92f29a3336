// Loading scales linearly: 50,000 objects take about five times as long as 10,000, not twenty-five (a quadratic
// step would show here long before a user's CI notices). Throughput itself is measured by the bench.
import t from 'tap';
import { parseManifests } from '../../src/manifests/parse.js';

const SECRET = (i: number) => `apiVersion: v1
kind: Secret
metadata:
  name: token-${i}
  namespace: datadog
type: Opaque
data:
  token: YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=
`;

function manifest(count: number): string {
  return Array.from({ length: count }, (_, i) => SECRET(i)).join('---\n');
}

function fastest(text: string, runs: number): number {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const objects = parseManifests(text, 'many.yaml');
    best = Math.min(best, performance.now() - start);
    if (objects.length === 0) throw new Error('nothing loaded');
  }
  return best;
}

t.test('50k objects load in linear time', async (t) => {
  const small = manifest(10_000);
  const large = manifest(50_000);
  fastest(small, 1); // warm-up
  const smallMs = fastest(small, 3);
  const largeMs = fastest(large, 2);
  const ratio = largeMs / smallMs;
  t.ok(ratio < 10, `5x the objects took ${ratio.toFixed(1)}x the time (${smallMs.toFixed(0)} ms, ${largeMs.toFixed(0)} ms)`);
  const objects = parseManifests(large, 'many.yaml');
  t.equal(objects.length, 50_000);
  t.equal(objects[49_999]?.line, 49_999 * 9 + 1, 'the last object knows its line (8 lines and a --- each)');
  t.equal(objects[49_999]?.lineOf('/data/token'), 49_999 * 9 + 8);
});
