// kafkajs' connections, tracked, so that stopping the consumer really closes them all. Measured against Kafka
// 4.4.0: after the broker is killed and restarted, kafkajs 2.2.4 recovers, but consumer.disconnect() leaves one
// reconnected socket open, and the `ingest kafka` process then never exits after SIGTERM (its summary printed,
// the event loop held by that socket). The adapter builds kafkajs' sockets through this factory (kafkajs'
// public `socketFactory` option, same settings as its default for plaintext) and destroys what is left after
// disconnect.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { ISocketFactory } from 'kafkajs';

// kafkajs' default keep-alive delay.
const KEEP_ALIVE_MS = 60_000;

export class TrackedSockets {
  private readonly open = new Set<Socket>();

  readonly factory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = connect({ host, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_MS);
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    return socket;
  };

  get size(): number {
    return this.open.size;
  }

  /**
   * Destroy every socket still open; returns how many there were. With an error, so that kafkajs' own error
   * handler runs and disconnects the connection (which also clears its request-timeout interval, the other thing
   * that would keep the process alive).
   */
  destroyAll(): number {
    const count = this.open.size;
    for (const socket of this.open) socket.destroy(new Error('closed by editledger: the consumer was stopped'));
    this.open.clear();
    return count;
  }
}
