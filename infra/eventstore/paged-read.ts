// readAll for stores that read $all a page at a time by position range (SQLite, PostgreSQL): one loop, so both
// page, stop at maxCount and re-check that the store is still open between pages the same way.
import type { AllFilter, ReadAllOptions, RecordedEvent } from '../../domain/ports/event-store.ts';

export type PageReader = (
  after: number,
  upTo: number,
  filter: AllFilter | undefined,
  limit: number,
) => RecordedEvent[] | Promise<RecordedEvent[]>;

export async function* readAllPaged(
  options: ReadAllOptions,
  pageSize: number,
  readPage: PageReader,
  assertOpen: () => void,
): AsyncGenerator<RecordedEvent> {
  let after = options.after ?? 0;
  let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
  while (remaining > 0) {
    assertOpen();
    const limit = Math.min(pageSize, remaining);
    const page = await readPage(after, Number.MAX_SAFE_INTEGER, options.filter, limit);
    for (const event of page) yield event;
    const last = page.at(-1);
    if (page.length < limit || last === undefined) return;
    after = last.position;
    remaining -= page.length;
  }
}
