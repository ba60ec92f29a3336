import type { KubeObject } from '../kube-model/types.js';
import type { DecodedSecret } from '../kube-model/secrets.js';
import { unknown, type Lookup, type World } from '../kube-model/world.js';

/**
 * The world when preparing one failed outright (the cluster did not answer in time): every lookup is
 * `unknown` with the reason, so a rule that needs the cluster warns about what it could not check, while a
 * rule that judges the object alone still decides.
 */
export class UnknownWorld implements World {
  readonly source = 'cluster' as const;

  constructor(
    private readonly reason: string,
    readonly defaultNamespace = 'default',
  ) {}

  get(): Lookup<KubeObject> {
    return unknown(this.reason);
  }
  list(): readonly KubeObject[] {
    return [];
  }
  secret(): Lookup<DecodedSecret> {
    return unknown(this.reason);
  }
  bindingsForServiceAccount(): readonly KubeObject[] {
    return [];
  }
  datadogWorkloads(): readonly KubeObject[] {
    return [];
  }
}
