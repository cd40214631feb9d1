import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP proxy in front of a real server (Postgres), so a test can slow, freeze or cut the
 * connections of the processes behind it without touching the server other suites share.
 */
export interface TcpProxy {
  port: number;
  /** Holds every byte in both directions: the peers see a server that stopped answering. */
  freeze(): void;
  thaw(): void;
  /** Delivers every byte `ms` late in both directions (0 = at once): a slow server or network. */
  delay(ms: number): void;
  /** Drops every connection and refuses new ones: the server looks down. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let frozen = false;
  let down = false;
  let delayMs = 0;

  const drains = new Set<() => void>();

  /**
   * Forwards `from` to `to`, each chunk `delayMs` after it arrived, strictly in arrival order (one
   * queue and one timer per direction: separate timers of slightly different lengths could fire
   * out of order and corrupt the protocol stream). A frozen proxy delivers nothing, queued chunks
   * included, until it thaws.
   */
  const forward = (from: Socket, to: Socket) => {
    const queue: { chunk: Buffer; dueAt: number }[] = [];
    let timer: NodeJS.Timeout | null = null;
    const drain = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (frozen) return;
      while (queue.length > 0 && queue[0]!.dueAt <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(drain, Math.max(1, queue[0]!.dueAt - Date.now()));
    };
    drains.add(drain);
    from.on('close', () => {
      drains.delete(drain);
      if (timer) clearTimeout(timer);
    });
    from.on('data', (chunk: Buffer) => {
      if (delayMs === 0 && queue.length === 0 && !frozen) {
        to.write(chunk);
        return;
      }
      queue.push({ chunk, dueAt: Date.now() + delayMs });
      if (!timer && !frozen) timer = setTimeout(drain, delayMs);
    });
  };

  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    forward(client, upstream);
    forward(upstream, client);
    if (frozen) {
      client.pause();
      upstream.pause();
    }
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const each = (action: (socket: Socket) => void) => pairs.forEach(([client, upstream]) => [client, upstream].forEach(action));
  return {
    port: (server.address() as AddressInfo).port,
    freeze() {
      frozen = true;
      each((socket) => socket.pause());
    },
    thaw() {
      frozen = false;
      drains.forEach((drain) => drain());
      each((socket) => socket.resume());
    },
    delay(ms: number) {
      delayMs = ms;
    },
    cut() {
      down = true;
      each((socket) => socket.destroy());
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        each((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}
