// Tests for src/kube-model/json-pointer.ts (RFC 6901).
import t from 'tap';
import { escapeSegment, joinPointer, pointerOf, pointerSegments } from '../../src/kube-model/json-pointer.js';

t.test('escapeSegment escapes ~ before /, so neither is read back as the other', async (t) => {
  t.equal(escapeSegment('a/b'), 'a~1b');
  t.equal(escapeSegment('a~b'), 'a~0b');
  t.equal(escapeSegment('~1'), '~01');
  t.equal(escapeSegment('plain'), 'plain');
});

t.test('pointerOf builds from unescaped segments and pointerSegments reads them back', async (t) => {
  t.equal(pointerOf([]), '');
  t.equal(pointerOf(['data', 'a/b~c', 0]), '/data/a~1b~0c/0');
  for (const segments of [['data', 'a/b~c'], ['~1', '/', ''], ['spec', 'override', 'nodeAgent']]) {
    t.same(pointerSegments(pointerOf(segments)), segments, JSON.stringify(segments));
  }
});

t.test('joinPointer appends a relative or absolute pointer', async (t) => {
  t.equal(joinPointer('/spec', 'env/0'), '/spec/env/0');
  t.equal(joinPointer('/spec', '/env/0'), '/spec/env/0');
  t.equal(joinPointer('/spec', ''), '/spec');
});
