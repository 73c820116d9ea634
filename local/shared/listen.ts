import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts `server` listening (loopback and a free port unless told otherwise) and resolves to its URL; a
 * failure to listen (a port in use) rejects instead of throwing later from an 'error' event.
 */
export async function listen(
  server: Server,
  options: { readonly port?: number | undefined; readonly host?: string | undefined } = {},
): Promise<{ readonly url: string; readonly port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${host}:${address.port}`, port: address.port };
}
