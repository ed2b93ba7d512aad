// A pause another part of the program can end early: a polling loop sleeps until its next look, and new work (an
// append, a demand, a stop) wakes it at once. Used by the trainer consumer and the following file source.

export class WakeableSleep {
  private wakeUp: (() => void) | undefined;

  /** Resolves after `ms`, or as soon as wake() is called. */
  async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
  }

  /** Ends the current sleep; nothing when none is running. */
  wake(): void {
    this.wakeUp?.();
  }
}
