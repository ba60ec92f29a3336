// The manifest line finders import from here; the pointer logic itself lives in src/k8s/json-pointer.ts.
export { joinPointer, pointerSegments } from '../k8s/json-pointer.js';
