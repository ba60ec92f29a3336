import type { EngineConfig } from '../engine/engine.js';
import type { Rule } from '../engine/types.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import type { CheckReport, FailOn } from './report.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export const FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderOptions {
  rules: readonly Rule[];
  config: EngineConfig;
  failOn: FailOn;
  color: boolean;
  cwd: string;
  toolVersion: string;
}

export function render(format: Format, report: CheckReport, options: RenderOptions): string {
  switch (format) {
    case 'text':
      return renderText(report, { color: options.color });
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report, options);
    case 'junit':
      return renderJunit(report, { failOn: options.failOn });
  }
}
