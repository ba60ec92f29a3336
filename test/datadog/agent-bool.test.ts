// Table test for src/datadog/agent-bool.ts: the Agent's GetBool over an environment variable's text.
import t from 'tap';
import { parseAgentBool } from '../../src/datadog/agent-bool.js';

t.test('parseAgentBool reads what strconv.ParseBool accepts, anything else as false, empty as unset', async (t) => {
  const table: [value: string | undefined, expected: boolean | undefined][] = [
    ['1', true], ['t', true], ['T', true], ['TRUE', true], ['true', true], ['True', true],
    ['0', false], ['f', false], ['F', false], ['FALSE', false], ['false', false], ['False', false],
    // Not ParseBool spellings: the conversion fails and GetBool returns false.
    ['yes', false], ['on', false], ['y', false], ['Y', false], ['tRuE', false], [' true', false], ['true\n', false], ['2', false],
    ['no', false], ['off', false], ['n', false], ['maybe', false],
    // An empty variable is skipped: the setting keeps its default.
    ['', undefined], [undefined, undefined],
  ];
  for (const [value, expected] of table) t.equal(parseAgentBool(value), expected, JSON.stringify(value));
});
