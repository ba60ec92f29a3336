/** RFC 6901 JSON pointers, the `path` of every finding. */

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  const body = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  return body.split('/').map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function joinPointer(base: string, pointer: string): string {
  if (pointer === '') return base;
  return base + (pointer.startsWith('/') ? pointer : `/${pointer}`);
}

export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
