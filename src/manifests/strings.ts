/**
 * One copy of each string value that `check` keeps past its input's document. js-yaml returns values as
 * slices of the text it parsed, and a slice keeps the whole file's text alive: objects kept for cross-object
 * questions (and names in findings) held every file read. Manifests repeat themselves (labels, verbs, images,
 * namespaces), so one shared copy of each value also shrinks what is kept several times over.
 */
export class StringTable {
  private readonly table = new Map<string, string>();

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
    if (Array.isArray(value)) return value.map((item: unknown) => this.copy(item)) as T;
    if (value === null || typeof value !== 'object') return value;
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // Assigning `__proto__` would set the prototype instead of copying the field.
      if (key === '__proto__') Object.defineProperty(copy, key, { value: this.copy(item), enumerable: true, writable: true, configurable: true });
      else copy[key] = this.copy(item);
    }
    return copy as T;
  }
}
