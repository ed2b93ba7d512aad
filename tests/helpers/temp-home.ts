// An empty temporary directory for a test's home, removed when the test ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempHome(t: { teardown(f: () => void): void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `editledger-${prefix}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
