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

  /** Forwards `from` to `to`, each chunk `delayMs` after it arrived and never ahead of an earlier one. */
  const forward = (from: Socket, to: Socket) => {
    let lastDueAt = 0;
    from.on('data', (chunk: Buffer) => {
      if (delayMs === 0 && lastDueAt <= Date.now()) {
        to.write(chunk);
        return;
      }
      lastDueAt = Math.max(lastDueAt, Date.now() + delayMs);
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, lastDueAt - Date.now());
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
