/**
 * RFC 6901 JSON pointers: the `path` of every finding. The only place that knows the escaping (`~` → `~0`,
 * `/` → `~1`; `~` first, so an escaped `/` is not escaped twice).
 */

export function escapeSegment(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** A pointer from unescaped segments: `pointerOf(['data', 'a/b'])` is `/data/a~1b`; no segments is `""`. */
export function pointerOf(segments: readonly (string | number)[]): string {
  return segments.map((segment) => `/${escapeSegment(String(segment))}`).join('');
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  const body = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  return body.split('/').map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function joinPointer(base: string, pointer: string): string {
  if (pointer === '') return base;
  return base + (pointer.startsWith('/') ? pointer : `/${pointer}`);
}
