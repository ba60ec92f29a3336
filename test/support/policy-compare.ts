import type { Test } from 'tap';
import type { KubeObject } from '../../src/kube-model/types.js';
import type { ManifestWorld } from '../../src/world/manifest-world.js';
import { createRequest, evaluatePolicy, POLICIES, ruleErrors } from './policies.js';

export interface Tally {
  judged: number;
  denied: number;
  problems: string[];
}

/**
 * Every policy on `object`: no expression fails; a denial is backed by a rule error in `world` and in a world
 * of the object alone; with `exact`, a rule error on a matched object is denied.
 */
export function compare(label: string, object: KubeObject, world: ManifestWorld | undefined, tally: Tally, exactFor: (ruleId: string, exactness: string) => boolean): void {
  for (const shape of ['admitted', 'as written'] as const) {
    if (shape === 'as written' && object.kind !== 'Secret') continue;
    const request = createRequest(object, { asWritten: shape === 'as written' });
    for (const policy of POLICIES) {
      const verdict = evaluatePolicy(policy, request);
      if (!verdict.matched && verdict.failures.length === 0) continue;
      tally.judged++;
      for (const failure of verdict.failures) tally.problems.push(`${label} (${shape}): ${failure}`);
      const alone = ruleErrors(policy.ruleId, object);
      const inWorld = world ? ruleErrors(policy.ruleId, object, world) : alone;
      if (verdict.denied) {
        tally.denied++;
        if (alone.length === 0 || inWorld.length === 0) tally.problems.push(`${label} (${shape}): ${policy.name} denies what ${policy.ruleId} allows`);
        for (const message of verdict.messages) {
          if (!message.startsWith(`[${policy.ruleId}] `)) tally.problems.push(`${label}: message without its rule id: ${message}`);
        }
      } else if (verdict.matched && alone.length > 0 && exactFor(policy.ruleId, policy.target.exactness)) {
        tally.problems.push(`${label} (${shape}): ${policy.name} admits what ${policy.ruleId} reports: ${alone[0]}`);
      }
    }
  }
}

export function report(t: Test, tally: Tally, what: string, minimumDenied: number): void {
  t.same(tally.problems, [], `${what}: policies and rules agree (${tally.judged} judgements, ${tally.denied} denials)`);
  t.ok(tally.denied >= minimumDenied, `${what}: at least ${minimumDenied} denials (got ${tally.denied}), so the comparison has teeth`);
}

