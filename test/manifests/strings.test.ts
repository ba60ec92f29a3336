import t from 'tap';
import { StringTable } from '../../src/manifests/strings.js';

t.test('equal strings are one copy', async (t) => {
  const strings = new StringTable();
  const a = strings.intern('datadog-cluster-agent-token'.slice(0));
  t.equal(strings.intern(`datadog-cluster-agent-${'token'}`), a);
});

t.test('short lists of strings are shared and frozen; others are copied', async (t) => {
  const strings = new StringTable();
  const role = (verbs: string[]) => ({ rules: [{ apiGroups: [''], resources: ['pods'], verbs }] });
  const first = strings.copy(role(['get', 'list', 'watch']));
  const second = strings.copy(role(['get', 'list', 'watch']));
  t.not(first, second, 'each object is its own copy');
  t.equal(first.rules[0]!.verbs, second.rules[0]!.verbs, 'its equal lists are one');
  t.ok(Object.isFrozen(first.rules[0]!.verbs), 'a shared list cannot be changed through one of its holders');
  t.not(strings.copy(role(['get', 'list'])).rules[0]!.verbs, first.rules[0]!.verbs, 'a different list is not shared');
  const mixed = strings.copy({ ports: [80, 'http'] });
  t.not(mixed.ports, strings.copy({ ports: [80, 'http'] }).ports, 'a list holding anything but strings is copied');
  t.notOk(Object.isFrozen(mixed.ports));
  const long = Array.from({ length: 40 }, (_, i) => `r${i}`);
  t.not(strings.copy(long), strings.copy(long), 'a long list is copied');
  t.same(strings.copy(['a', 'b\u0000c']), ['a', 'b\u0000c']);
  t.not(strings.copy(['a\u0000b']), strings.copy(['a', 'b']), 'lists whose joined text is equal are not taken for each other');
  const short = strings.copy(['get']);
  t.same(short, ['get'], 'a list that starts another is its own list');
  t.equal(strings.copy(['get']), short, 'and is shared in turn');
  t.not(strings.copy(['list', 'get']), strings.copy(['get', 'list']), 'order counts');
});
