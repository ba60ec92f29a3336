// The one JSON syntax-error locator, shared by the manifest loader and the webhook's body parser.
import t from 'tap';
import { jsonErrorPlace } from '../../src/manifests/json-error.js';

t.test('where a text stops being JSON: offset, line and column', async (t) => {
  t.same(jsonErrorPlace('{"a": 1,}'), { offset: 8, line: 1, column: 9 }, 'a trailing comma: at the brace');
  t.same(jsonErrorPlace('{\n  "a": 1\n  "b": 2\n}'), { offset: 13, line: 3, column: 3 }, 'a missing comma: at the next key');
  t.same(jsonErrorPlace('{"a": "x'), { offset: 8, line: 1, column: 9 }, 'an unclosed string: at the end');
  t.same(jsonErrorPlace('[1, 2]\n]'), { offset: 7, line: 2, column: 1 }, 'text after the value');
  t.same(jsonErrorPlace('{"a": "tab\there"}'), { offset: 10, line: 1, column: 11 }, 'a control character inside a string');
  t.same(jsonErrorPlace('{"a": "\\q"}'), { offset: 8, line: 1, column: 9 }, 'a bad escape');
});

t.test('valid JSON ends at its length', async (t) => {
  const text = '{"a": [1, -2.5e3, true, null, "\\u00e9"]}\n';
  t.same(jsonErrorPlace(text), { offset: text.length, line: 2, column: 1 });
});
