// The compliance report as JSON: the model itself, checked against the published schema before it is written, so
// a file that leaves this function always validates against docs/compliance-report.schema.json.
import { toInvalidFieldError } from '../../domain/events.ts';
import { ComplianceReportSchema } from '../../projections/compliance-report.ts';
import type { ComplianceReport } from '../../projections/compliance-report.ts';

export function renderJson(report: ComplianceReport): string {
  const checked = ComplianceReportSchema.safeParse(report);
  if (!checked.success) throw toInvalidFieldError(checked.error, ['report']);
  return `${JSON.stringify(checked.data, null, 2)}\n`;
}
