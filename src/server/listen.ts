import type { AddressInfo, Server } from 'node:net';

/**
 * Listens with a new server (from `create`) on every host, all on the same port. With port 0 the
 * first host picks a free port and the others take the same one; if that one is taken on another
 * address family, everything is closed and another free port is tried (up to 10 times).
 */
export async function listenOnAll<S extends Server>(hosts: readonly string[], port: number, create: () => S): Promise<{ servers: S[]; port: number }> {
  for (let attempt = 0; ; attempt++) {
    let chosen = port;
    const started: S[] = [];
    try {
      for (const host of hosts) {
        const server = create();
        started.push(server);
        await listenOn(server, { host, port: chosen, ipv6Only: host.includes(':') });
        if (chosen === 0) chosen = (server.address() as AddressInfo).port;
      }
      return { servers: started, port: chosen };
    } catch (err) {
      await Promise.all(started.map(closeQuietly));
      if (port === 0 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 10) continue;
      throw err;
    }
  }
}

/** Listens on one address (or a UNIX socket path); rejects with the listen error. */
export function listenOn(server: Server, options: { host: string; port: number; ipv6Only: boolean } | { path: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(options, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeQuietly(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) resolve();
    else server.close(() => resolve());
  });
}

/** Stops an HTTP server and drops its idle and active keep-alive connections. */
export function closeServer(server: Server & { closeAllConnections(): void }): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
