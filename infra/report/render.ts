// One entry point for the CLI and the API: a report in the format asked for, with its media type.
import type { ComplianceReport } from '../../projections/compliance-report.ts';
import { renderHtml } from './render-html.ts';
import { renderJson } from './render-json.ts';
import { renderMarkdown } from './render-md.ts';

export const REPORT_FORMATS = ['html', 'json', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

export function renderReport(report: ComplianceReport, format: ReportFormat): string {
  switch (format) {
    case 'html':
      return renderHtml(report);
    case 'json':
      return renderJson(report);
    case 'md':
      return renderMarkdown(report);
  }
}
