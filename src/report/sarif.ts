import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Invocation, Location, Log, Notification, ReportingDescriptor, Result } from 'sarif';
import type { EngineConfig } from '../engine/engine.js';
import type { Finding, Rule } from '../engine/types.js';
import { describeRef } from '../kube-model/types.js';
import { STDIN_NAME } from '../manifests/load.js';
import { problemLocation, type CheckReport } from './report.js';
import type { InputProblem } from '../manifests/errors.js';

export interface SarifOptions {
  rules: readonly Rule[];
  config: EngineConfig;
  /** Artifact URIs are relative to this directory, so a pull request shows each finding on its line. */
  cwd: string;
  toolVersion: string;
}

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** SARIF 2.1.0 for code-scanning tools: rules from the registry with their help, results with file and line. */
export function renderSarif(report: CheckReport, options: SarifOptions): string {
  const descriptors = options.rules.map((rule) => ruleDescriptor(rule, options.config));
  const index = new Map(descriptors.map((descriptor, i) => [descriptor.id, i]));
  for (const finding of report.findings) {
    if (!index.has(finding.ruleId)) {
      index.set(finding.ruleId, descriptors.length);
      descriptors.push({ id: finding.ruleId });
    }
  }
  const log: Log = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'ddguard', version: options.toolVersion, rules: descriptors } },
        results: report.findings.map((finding) => sarifResult(finding, index.get(finding.ruleId) ?? -1, options.cwd)),
        // An input that could not be read is a tool execution notification, and the run did not succeed.
        ...(report.problems?.length ? { invocations: [invocation(report.problems, options.cwd)] } : {}),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function ruleDescriptor(rule: Rule, config: EngineConfig): ReportingDescriptor {
  const severity = config.severities[rule.id] ?? rule.defaultSeverity;
  return {
    id: rule.id,
    name: rule.id.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase()),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    help: { text: helpText(rule), markdown: helpMarkdown(rule) },
    defaultConfiguration: severity === 'off' ? { enabled: false, level: 'none' } : { level: severity },
  };
}

function helpText(rule: Rule): string {
  return `${rule.description}\n\nFix: ${rule.remediation}\n\nFails:\n${trimLines(rule.example.bad)}\n\nPasses:\n${trimLines(rule.example.good)}`;
}

function helpMarkdown(rule: Rule): string {
  const block = (yaml: string) => `\`\`\`yaml\n${trimLines(yaml)}\n\`\`\``;
  return `${rule.description}\n\n**Fix:** ${rule.remediation}\n\nFails:\n\n${block(rule.example.bad)}\n\nPasses:\n\n${block(rule.example.good)}`;
}

function sarifResult(finding: Finding, ruleIndex: number, cwd: string): Result {
  const result: Result = {
    ruleId: finding.ruleId,
    ruleIndex,
    level: finding.severity,
    message: { text: `${finding.message}\nFix: ${finding.remediation}` },
    locations: [sarifLocation(finding, cwd)],
    properties: { path: finding.path, object: { ...finding.object } },
  };
  if (finding.exempted) {
    result.suppressions = [
      { kind: finding.exempted.by === 'annotation' ? 'inSource' : 'external', justification: finding.exempted.reason },
    ];
  }
  return result;
}

function sarifLocation(finding: Finding, cwd: string): Location {
  const location: Location = {};
  const source = finding.source;
  if (source && source.file !== STDIN_NAME) {
    location.physicalLocation = { artifactLocation: { uri: artifactUri(source.file, cwd) }, region: { startLine: source.line } };
  }
  location.logicalLocations = [{ fullyQualifiedName: describeRef(finding.object), kind: 'resource' }];
  return location;
}

function invocation(problems: readonly InputProblem[], cwd: string): Invocation {
  return {
    executionSuccessful: false,
    toolExecutionNotifications: problems.map((problem): Notification => {
      const location: Location = {};
      if (problem.file !== STDIN_NAME) {
        location.physicalLocation = {
          artifactLocation: { uri: artifactUri(problem.file, cwd) },
          ...(problem.line === undefined ? {} : { region: { startLine: problem.line } }),
        };
      }
      return {
        level: 'error',
        descriptor: { id: 'input-error' },
        message: { text: `${problemLocation(problem)}: ${problem.message}` },
        ...(location.physicalLocation ? { locations: [location] } : {}),
      };
    }),
  };
}

function trimLines(text: string): string {
  return text.replace(/^\n+/, '').trimEnd();
}

/** A relative URI under the working directory (what code scanning resolves against the checkout), else file://. */
export function artifactUri(file: string, cwd: string): string {
  const absolute = resolve(cwd, file);
  const rel = relative(cwd, absolute);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return pathToFileURL(absolute).href;
  return rel.split(sep).map(encodeURIComponent).join('/');
}
