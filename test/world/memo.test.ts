import t from 'tap';
import { memoScope, remembered, rememberedIn } from '../../src/kube-model/memo.js';

const counter = () => {
  let calls = 0;
  return { compute: () => ++calls, calls: () => calls };
};

t.test('outside a scope every question is worked out again', async (t) => {
  const c = counter();
  const key = {};
  remembered('t', key, c.compute);
  remembered('t', key, c.compute);
  t.equal(c.calls(), 2);
});

t.test('inside a scope an answer is worked out once per key and table', async (t) => {
  const c = counter();
  const a = {};
  const b = {};
  memoScope(() => {
    t.equal(remembered('t', a, c.compute), 1);
    t.equal(remembered('t', a, c.compute), 1, 'same key: remembered');
    t.equal(remembered('t', b, c.compute), 2, 'other key: worked out');
    t.equal(remembered('u', a, c.compute), 3, 'other table: worked out');
    memoScope(() => t.equal(remembered('t', a, c.compute), 1, 'a nested scope shares the open one'));
  });
  t.equal(c.calls(), 3);
});

t.test('an answer of undefined is remembered too', async (t) => {
  let calls = 0;
  const key = {};
  memoScope(() => {
    remembered('t', key, () => (calls++, undefined));
    remembered('t', key, () => (calls++, undefined));
  });
  t.equal(calls, 1);
});

t.test('the tables are dropped when the outermost scope ends, even when it throws', async (t) => {
  const c = counter();
  const key = {};
  memoScope(() => remembered('t', key, c.compute));
  memoScope(() => remembered('t', key, c.compute));
  t.equal(c.calls(), 2, 'a new scope starts empty');
  t.throws(() => memoScope(() => {
    remembered('t', key, c.compute);
    throw new Error('rule failed');
  }));
  remembered('t', key, c.compute);
  t.equal(c.calls(), 4, 'no scope is left open after a throw');
});

t.test('answers that depend on a world are kept per world', async (t) => {
  const c = counter();
  const object = {};
  const before = {};
  const after = {};
  memoScope(() => {
    t.equal(rememberedIn(before, 't', object, c.compute), 1);
    t.equal(rememberedIn(after, 't', object, c.compute), 2);
    t.equal(rememberedIn(before, 't', object, c.compute), 1);
  });
});
