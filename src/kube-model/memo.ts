/**
 * What rules work out from objects (an object's component, pod template, decoded Secret, token sources…),
 * remembered while one judgement runs: one admission review, one `check` run, one audit. Objects are never
 * changed while rules run and a World is one moment (world.ts), so an answer stays right for the scope's
 * life; the tables are dropped when the outermost scope ends, so nothing outlives the objects it was about.
 *
 * The engine opens a scope around its calls and callers may open a wider one (`memoScope`); helpers ask
 * `remembered`. Outside a scope (a store indexing objects, say) answers are worked out each time.
 * Tables live only as long as their scope rather than in module-level WeakMaps: each request would otherwise
 * add short-lived keys to long-lived ephemeron tables, which the garbage collector pays for on every request.
 */
class MemoTables {
  private readonly tables = new Map<string, Map<unknown, unknown>>();
  private readonly worlds = new Map<object, MemoTables>();

  table<K, V>(name: string): Map<K, V> {
    let table = this.tables.get(name);
    if (!table) this.tables.set(name, (table = new Map()));
    return table as Map<K, V>;
  }

  /** Tables for answers that depend on a World as well as on the object. */
  of(world: object): MemoTables {
    let tables = this.worlds.get(world);
    if (!tables) this.worlds.set(world, (tables = new MemoTables()));
    return tables;
  }
}

let current: MemoTables | undefined;

/** Runs `work` in a memo scope: the one already open, or a new one dropped when `work` returns. */
export function memoScope<T>(work: () => T): T {
  if (current) return work();
  current = new MemoTables();
  try {
    return work();
  } finally {
    current = undefined;
  }
}

/** `compute()`, remembered under `key` in table `name` while a scope is open. */
export function remembered<K, V>(name: string, key: K, compute: () => V): V {
  return current ? lookup(current.table<K, V>(name), key, compute) : compute();
}

/** As `remembered`, for an answer that depends on `world` too. */
export function rememberedIn<K, V>(world: object, name: string, key: K, compute: () => V): V {
  return current ? lookup(current.of(world).table<K, V>(name), key, compute) : compute();
}

function lookup<K, V>(table: Map<K, V>, key: K, compute: () => V): V {
  if (table.has(key)) return table.get(key) as V;
  const value = compute();
  table.set(key, value);
  return value;
}
