import { runAudit, type AuditFlags } from '../../src/cli/audit.js';

export interface AuditRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ddguard audit` in-process with captured output. */
export async function audit(flags: Partial<AuditFlags> & { kubeconfig: string }): Promise<AuditRun> {
  let stdout = '';
  let stderr = '';
  const code = await runAudit(
    { namespace: [], format: 'text', failOn: 'error', ...flags },
    { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
  );
  return { code, stdout, stderr };
}

export function ruleIdsOf(jsonOutput: string): string[] {
  const parsed = JSON.parse(jsonOutput) as { findings: { ruleId: string }[] };
  return [...new Set(parsed.findings.map((f) => f.ruleId))].sort();
}
