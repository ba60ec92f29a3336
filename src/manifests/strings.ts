/**
 * One copy of each string value that `check` keeps past its input's document. js-yaml returns values as
 * slices of the text it parsed, and a slice keeps the whole file's text alive: objects kept for cross-object
 * questions (and names in findings) held every file read. Manifests repeat themselves (labels, verbs, images,
 * namespaces), so one shared copy of each value also shrinks what is kept several times over.
 */
export class StringTable {
  private readonly table = new Map<string, string>();
  /** Shared lists of strings, found item by item: each item is already the table's copy. */
  private readonly lists: ListNode = {};

  /** The table's copy of `text`: equal to it, and holding nothing else alive. */
  intern(text: string): string {
    const known = this.table.get(text);
    if (known !== undefined) return known;
    // V8 copies strings under 13 characters when slicing; a longer one is copied out of its file here.
    const copy = text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
    this.table.set(copy, copy);
    return copy;
  }

  /**
   * A copy of a parsed value with every string interned. The copy is also smaller than what the parser built:
   * arrays grown by push carry spare capacity, which a kept object would hold for the whole run.
   */
  copy<T>(value: T): T {
    if (typeof value === 'string') return this.intern(value) as T;
    if (Array.isArray(value)) return this.copyList(value) as T;
    if (value === null || typeof value !== 'object') return value;
    const source = value as Record<string, unknown>;
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(source)) {
      // Assigning `__proto__` would set the prototype instead of copying the field.
      if (key === '__proto__') Object.defineProperty(copy, key, { value: this.copy(source[key]), enumerable: true, writable: true, configurable: true });
      else copy[key] = this.copy(source[key]);
    }
    return copy as T;
  }

  /**
   * A copy of a list; a short list of strings is shared, frozen, with every equal one copied before. RBAC rules
   * repeat the same verbs, API groups and resources in every role, and a role's lists were most of what it held.
   */
  private copyList(list: readonly unknown[]): unknown[] {
    const items = list.map((item: unknown) => this.copy(item));
    if (items.length === 0 || items.length > MAX_SHARED_LIST || !items.every((item) => typeof item === 'string')) return items;
    let node = this.lists;
    for (const item of items as string[]) {
      const next = node.next?.get(item);
      if (next) node = next;
      else (node.next ??= new Map()).set(item, (node = {}));
    }
    if (node.list) return node.list;
    Object.freeze(items);
    node.list = items;
    return items;
  }
}

/** A step in the shared lists: the lists that start with the items on the way here continue in `next`. */
interface ListNode {
  next?: Map<string, ListNode>;
  /** The shared list that ends here. */
  list?: unknown[];
}

/** Lists longer than this are not shared: rarely repeated, and their key would be long. */
const MAX_SHARED_LIST = 32;
