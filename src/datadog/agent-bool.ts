/**
 * A boolean setting's value as the Datadog Agent reads it from its environment.
 *
 * DataDog/datadog-agent pkg/config/nodetreemodel/config.go (buildEnvVars) skips a variable whose value is empty,
 * so the setting keeps its default; insertNodeFromString converts the text to the default's type, and
 * getter.go (GetBool) reads it with spf13/cast ToBoolE (cast basic.go: a string goes to Go's strconv.ParseBool).
 * ParseBool accepts exactly "1", "t", "T", "TRUE", "true", "True" as true and "0", "f", "F", "FALSE", "false",
 * "False" as false, without trimming. Any other text ("yes", "on", "y", " true") fails to convert: GetBool logs
 * "failed to get configuration value for key" and returns false, whatever the default.
 *
 * `undefined` means unset (the default applies); anything else is what GetBool returns.
 */
export function parseAgentBool(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return PARSE_BOOL_TRUE.has(value);
}

const PARSE_BOOL_TRUE: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
