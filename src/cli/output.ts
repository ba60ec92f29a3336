import type { EngineConfig } from '../engine/engine.js';
import type { CheckReport, FailOn } from '../report/report.js';
import { render, type Format } from '../report/render.js';
import { toolVersion } from '../report/tool-version.js';
import { RULES } from '../rules/index.js';

/** Colour only on a terminal, and never when NO_COLOR is set to anything but "" (https://no-color.org). */
export function useColor(isTTY: boolean | undefined, env: Readonly<Record<string, string | undefined>>): boolean {
  return isTTY === true && !env.NO_COLOR;
}

/** A report rendered for the commands' standard output: `check` and `audit` print findings the same way. */
export function renderForOutput(
  format: Format,
  report: CheckReport,
  options: { config: EngineConfig; failOn: FailOn; isTTY: boolean | undefined },
): string {
  return render(format, report, {
    rules: RULES,
    config: options.config,
    failOn: options.failOn,
    color: format === 'text' && useColor(options.isTTY, process.env),
    cwd: process.cwd(),
    toolVersion: toolVersion(),
  });
}
