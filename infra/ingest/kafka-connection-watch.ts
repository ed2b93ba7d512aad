// Tells the operator, in one line each, when the Kafka consumer lost its brokers and what it is waiting for, and
// when they answer again. kafkajs retries (and restarts a crashed consumer) by itself, but says so only as a
// stream of low-level "Connection error" lines; this turns the first of them into the sentence that matters.
const CONNECTION_LOST =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection error|Connection timeout|Closed connection/i;

export class ConnectionWatch {
  private downSince: number | undefined;
  private silenced = false;

  constructor(
    private readonly log: (line: string) => void,
    /** e.g. "the Kafka broker at 127.0.0.1:9092". */
    private readonly waitingFor: string,
    private readonly now: () => number = Date.now,
  ) {}

  get isDown(): boolean {
    return this.downSince !== undefined;
  }

  /** The consumer is being stopped: the connections it closes now are no outage. */
  silence(): void {
    this.silenced = true;
  }

  /** Feed every kafkajs log line; the first one that shows a lost connection starts an outage. */
  observe(line: string): void {
    if (this.silenced || this.downSince !== undefined || !CONNECTION_LOST.test(line)) return;
    this.downSince = this.now();
    this.log(
      `kafka: lost the connection; waiting for ${this.waitingFor} to answer again (retrying by itself; nothing is committed meanwhile, so nothing is lost)`,
    );
  }

  /** The consumer got a batch or joined its group: the brokers answer again. */
  alive(): void {
    if (this.downSince === undefined) return;
    const seconds = ((this.now() - this.downSince) / 1000).toFixed(1);
    this.downSince = undefined;
    this.log(`kafka: ${this.waitingFor} answers again after ${seconds} s; resuming at the committed offsets`);
  }
}
