import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface RunningServer {
  server: Server;
  port: number;
  /** e.g. http://127.0.0.1:38211 */
  url: string;
  /** Stops accepting, lets requests in flight finish, then resolves. */
  close(): Promise<void>;
}

/** Listens on `port` (0 = any free one); rejects with a one-line message when the port is taken. */
export function listen(app: Express, options: { port: number; host?: string }): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(options.port, options.host ?? '0.0.0.0');
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `Port ${options.port} is already in use: stop what uses it or set PORT to another port`
            : `Cannot listen on port ${options.port}: ${err.message}`,
        ),
      );
    });
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      const host = !options.host || options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
      let closing: Promise<void> | undefined;
      resolve({
        server,
        port,
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          });
          return closing;
        },
      });
    });
  });
}
