// The report period from user input (CLI flags, API query): ISO dates (YYYY-MM-DD, midnight UTC) or full ISO
// timestamps with a zone; a bad value is an InvalidFieldError naming the flag or parameter it came from.
import { InvalidFieldError } from '../../domain/errors.ts';
import type { ReportPeriod } from '../../projections/compliance-report.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseReportDate(value: string, field: string): Date {
  const text = value.trim();
  if (!DAY.test(text) && !TIMESTAMP.test(text))
    throw new InvalidFieldError(field, `must be an ISO date (YYYY-MM-DD) or timestamp with a zone, got "${value}"`);
  const date = new Date(DAY.test(text) ? `${text}T00:00:00.000Z` : text);
  // Date accepts 2025-02-30 by rolling over; a date that does not round-trip is not a real day.
  if (Number.isNaN(date.getTime()) || (DAY.test(text) && date.toISOString().slice(0, 10) !== text))
    throw new InvalidFieldError(field, `is not a real date: "${value}"`);
  return date;
}

/** [from, to) from optional inputs; `to` must be after `from`. */
export function parseReportPeriod(
  from: string | undefined,
  to: string | undefined,
  fields: { readonly from: string; readonly to: string },
): ReportPeriod {
  const start = from === undefined ? undefined : parseReportDate(from, fields.from);
  const end = to === undefined ? undefined : parseReportDate(to, fields.to);
  if (start !== undefined && end !== undefined && end.getTime() <= start.getTime())
    throw new InvalidFieldError(fields.to, `must be after ${fields.from} (${start.toISOString()})`);
  return { ...(start === undefined ? {} : { from: start }), ...(end === undefined ? {} : { to: end }) };
}
