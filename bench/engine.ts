// Section 2: microseconds per object for the engine (in the overlaid empty world the webhook uses without a
// cluster) against JSON.parse of the same AdmissionReview body.
import { Engine } from '../src/engine/engine.js';
import { RULES } from '../src/rules/index.js';
import { ManifestWorld } from '../src/world/manifest-world.js';
import { overlayWorld, type Change } from '../src/world/overlay.js';
import type { KubeObject } from '../src/kube-model/types.js';
import type { World } from '../src/kube-model/world.js';
import { capturedReviews, median } from './util.js';

export interface EngineRow { object: string; kind: string; evaluateUs: number; impactUs: number; parseUs: number; ratio: number }

// A batch of copies stays alive across the steps of a round. Kept to ~128 KB of body so the copies do not
// outgrow the young generation: otherwise each round promotes them and the old-space GC it causes lands on
// whichever step allocates next (a 33 KB DaemonSet measured 100 or 300 µs depending on where it fell).
const BATCH_BYTES = 128 * 1024;
const batchSize = (body: string): number => Math.max(1, Math.min(50, Math.floor(BATCH_BYTES / body.length)));

interface Review { kind: string; request: { operation: string; object: KubeObject; oldObject?: KubeObject | null } }

/**
 * Microseconds per object for parsing a body and for each step of judging it, over fresh objects as the
 * webhook sees them (each request parses its own copy, so nothing memoised on one object helps the next).
 * Each round times the parse of a batch of copies, then each step over that batch: the floor and the work
 * share the round, so drift on a shared machine hits both alike.
 */
function usPerFresh(body: string, steps: ((review: Review, index: number) => number)[], minMs: number, warmRounds = 20): { parseUs: number; stepUs: number[] } {
  let sink = 0;
  const batch = batchSize(body);
  const parseRounds: number[] = [];
  const stepRounds: number[][] = steps.map(() => []);
  const limit = minMs * 1000;
  let spentUs = 0;
  for (let round = 0; spentUs < limit || round < warmRounds; round++) {
    const started = process.hrtime.bigint();
    const copies = Array.from({ length: batch }, () => JSON.parse(body) as Review);
    const parsedUs = Number(process.hrtime.bigint() - started) / 1000;
    const stepsUs = steps.map((step) => {
      const start = process.hrtime.bigint();
      copies.forEach((review, index) => (sink += step(review, index)));
      return Number(process.hrtime.bigint() - start) / 1000;
    });
    if (round < warmRounds) continue;
    spentUs += parsedUs + stepsUs.reduce((a, b) => a + b, 0);
    parseRounds.push(parsedUs / batch);
    stepsUs.forEach((us, i) => stepRounds[i]!.push(us / batch));
  }
  if (sink < 0) console.log(sink);
  // Medians of the rounds: a round that another process preempted (the machine is shared) does not count.
  return { parseUs: median(parseRounds), stepUs: stepRounds.map(median) };
}

export function runEngine(msPerMeasure: number): EngineRow[] {
  const engine = new Engine(RULES);
  const base = new ManifestWorld([]);
  const changeOf = (review: Review): Change =>
    ({ operation: review.request.operation, object: review.request.object, oldObject: review.request.oldObject ?? null }) as Change;
  // As the webhook does: one overlaid world per review (made in the first step), the object's own rules on it,
  // then the rules its change can break elsewhere on the same world, all in one memo scope.
  const worlds: World[] = [];
  const evaluate = (review: Review, index: number): number => {
    const world = (worlds[index] = overlayWorld(base, changeOf(review)));
    return engine.evaluate(review.request.object, world).length;
  };
  const impact = (review: Review, index: number): number => engine.evaluateImpact([review.request.object], worlds[index] ?? base, base).length;
  const reviews = capturedReviews();
  // Every kind once through the engine first, as in a server that has been running: the JIT has seen the mix.
  for (const r of reviews) usPerFresh(r.body, [evaluate, impact], 0, 10);
  return reviews.map((r) => {
    const { parseUs, stepUs } = usPerFresh(r.body, [evaluate, impact], msPerMeasure);
    const [evaluateUs = NaN, impactUs = NaN] = stepUs;
    return { object: r.name.replace(/\.json$/, ''), kind: r.kind, evaluateUs, impactUs, parseUs, ratio: (evaluateUs + impactUs) / parseUs };
  });
}
