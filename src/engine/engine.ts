import type { KubeObject } from '../kube-model/types.js';
import { refOf } from '../kube-model/types.js';
import { isClusterScoped } from '../kube-model/kinds.js';
import type { World } from '../kube-model/world.js';
import type { Finding, Rule, RuleContext, RuleSettings, Severity, TargetKind } from './types.js';
import { exemptionFor, type ConfigExemption } from './exemptions.js';
import { impactedWorkloads } from './impact.js';
import { memoScope } from '../kube-model/memo.js';

/** What config may change about the engine; produced by src/config and frozen. */
export interface EngineConfig {
  /** Per-rule severity; 'off' disables a rule. Rules not named keep their default. */
  severities: Readonly<Record<string, Severity | 'off'>>;
  exemptions: readonly ConfigExemption[];
  settings: RuleSettings;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = Object.freeze({
  severities: {},
  exemptions: [],
  settings: { extraClusterAgentPermissions: [] },
});

/**
 * The one engine behind `check`, the webhook and the audit: it runs the registry's rules on an object in a
 * world and returns findings in the one shape, with severities and exemptions applied.
 */
export class Engine {
  private readonly byKind = new Map<string, Rule[]>();
  private readonly byAffectingKind = new Map<string, Rule[]>();
  /** Kinds some rule judges or is affected by; fixed once the rules are indexed. */
  private readonly judged: ReadonlySet<string>;

  constructor(
    readonly rules: readonly Rule[],
    readonly config: EngineConfig = DEFAULT_ENGINE_CONFIG,
  ) {
    for (const rule of rules) {
      if (this.severityOf(rule) === 'off') continue;
      for (const kind of rule.targets) push(this.byKind, kind, rule);
      for (const kind of rule.affectedBy ?? []) push(this.byAffectingKind, kind, rule);
    }
    this.judged = new Set([...this.byKind.keys(), ...this.byAffectingKind.keys()]);
  }

  /** Kinds the engine judges directly or through their effect on others: what the webhook must be sent. */
  judgedKinds(): TargetKind[] {
    return [...this.judged] as TargetKind[];
  }

  /** Whether any rule judges or is affected by `kind`: asked on every admission. */
  judges(kind: string): boolean {
    return this.judged.has(kind);
  }

  /** Rules that judge `object` itself; `creating` when it is being created at admission (RuleContext.creating). */
  evaluate(object: KubeObject, world: World, options: { creating?: boolean } = {}): Finding[] {
    const rules = this.byKind.get(object.kind ?? '') ?? [];
    return memoScope(() => rules.flatMap((rule) => this.run(rule, object, world, false, options.creating === true)));
  }

  /**
   * Rules that a change to `changed` (a role, a binding, a ServiceAccount) can break elsewhere: each is run on
   * the Datadog workloads the change touches, in `world` (which already shows the change). Findings name the
   * workload that would break. Pass both the new and the old object of an UPDATE or DELETE, so a binding
   * that drops a subject still finds the workload it no longer covers.
   *
   * Given the world `before` the change, only findings the change introduces are returned: a request is
   * blamed for what it breaks, not for what was already missing (a ClusterRole created before its binding).
   */
  evaluateImpact(changed: KubeObject | readonly KubeObject[], world: World, before?: World): Finding[] {
    return memoScope(() => this.impactOf(changed, world, before));
  }

  private impactOf(changed: KubeObject | readonly KubeObject[], world: World, before?: World): Finding[] {
    const objects = (Array.isArray(changed) ? changed : [changed]) as readonly KubeObject[];
    const rules = [...new Set(objects.flatMap((o) => this.byAffectingKind.get(o.kind ?? '') ?? []))];
    if (rules.length === 0) return [];
    const workloads = impactedWorkloads(objects, world);
    const findingsIn = (w: World) =>
      workloads.flatMap((workload) =>
        rules.filter((rule) => rule.targets.includes(workload.kind as TargetKind))
          .flatMap((rule) => this.run(rule, workload, w, true)),
      );
    const after = findingsIn(world);
    if (!before || after.length === 0) return after;
    const existing = new Set(findingsIn(before).map(findingKey));
    return after.filter((finding) => !existing.has(findingKey(finding)));
  }

  private run(rule: Rule, object: KubeObject, world: World, impact = false, creating = false): Finding[] {
    const severity = this.severityOf(rule);
    if (severity === 'off') return [];
    const context: RuleContext = { world, settings: this.config.settings, impact };
    if (creating) context.creating = true;
    return rule.evaluate(object, context).map((raw) => {
      const finding: Finding = {
        ruleId: rule.id,
        severity: raw.downgrade === 'warning' ? 'warning' : severity,
        message: raw.message,
        remediation: raw.remediation ?? rule.remediation,
        object: withDefaultNamespace(refOf(object), object, world),
        path: raw.path,
      };
      const exemption = exemptionFor(rule.id, object, finding.object, this.config.exemptions);
      if (exemption.exempted) finding.exempted = exemption.exempted;
      else if (exemption.note) finding.message += ` ${exemption.note}`;
      return finding;
    });
  }

  private severityOf(rule: Rule): Severity | 'off' {
    return this.config.severities[rule.id] ?? rule.defaultSeverity;
  }
}

function findingKey(f: Finding): string {
  return JSON.stringify([f.ruleId, f.object, f.path, f.severity, f.message]);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function withDefaultNamespace(ref: ReturnType<typeof refOf>, object: KubeObject, world: World) {
  if (!ref.namespace && !isClusterScoped(object.kind)) ref.namespace = world.defaultNamespace;
  return ref;
}
