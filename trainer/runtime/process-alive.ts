// Whether a process id belongs to a running process (one we may not signal counts as running): how a lock or
// temporary file left by a crashed writer is told from one a live writer still holds.

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
