import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP proxy in front of a real server (Postgres), so a test can freeze or cut the
 * connection of the processes behind it without touching the server other suites share.
 */
export interface TcpProxy {
  port: number;
  /** Holds every byte in both directions: the peers see a server that stopped answering. */
  freeze(): void;
  thaw(): void;
  /** Drops every connection and refuses new ones: the server looks down. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let frozen = false;
  let down = false;
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
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
      each((socket) => {
        socket.unpipe();
        socket.pause();
      });
    },
    thaw() {
      frozen = false;
      pairs.forEach(([client, upstream]) => {
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        upstream.resume();
      });
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
