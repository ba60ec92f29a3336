// Section 2: microseconds per object for the engine (in the overlaid empty world the webhook uses without a
// cluster) against JSON.parse of the same AdmissionReview body.
import { Engine } from '../src/engine/engine.js';
import { RULES } from '../src/rules/index.js';
import { ManifestWorld } from '../src/world/manifestWorld.js';
import { overlayWorld, type Change } from '../src/world/overlay.js';
import type { KubeObject } from '../src/k8s/types.js';
import { capturedReviews } from './util.js';

export interface EngineRow { object: string; kind: string; evaluateUs: number; impactUs: number; parseUs: number; ratio: number }

function usPer(fn: () => void, minMs: number): number {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  const limit = BigInt(minMs) * 1_000_000n;
  while (elapsed < limit) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    elapsed = process.hrtime.bigint() - start;
  }
  return Number(elapsed) / 1000 / n;
}

export function runEngine(msPerMeasure: number): EngineRow[] {
  const engine = new Engine(RULES);
  const base = new ManifestWorld([]);
  let sink = 0;
  return capturedReviews().map((r) => {
    const req = r.review.request;
    const object = req.object as KubeObject;
    const change = { operation: req.operation, object, oldObject: (req.oldObject ?? null) as KubeObject | null } as Change;
    const parseUs = usPer(() => { sink += (JSON.parse(r.body) as { kind: string }).kind.length; }, msPerMeasure);
    const evaluateUs = usPer(() => { sink += engine.evaluate(object, overlayWorld(base, change)).length; }, msPerMeasure);
    const impactUs = usPer(() => { sink += engine.evaluateImpact(object, overlayWorld(base, change)).length; }, msPerMeasure);
    if (sink < 0) console.log(sink);
    return { object: r.name.replace(/\.json$/, ''), kind: r.kind, evaluateUs, impactUs, parseUs, ratio: (evaluateUs + impactUs) / parseUs };
  });
}
