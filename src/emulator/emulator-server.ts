// Placeholder until the emulator lands: a server that answers nothing useful.
import http from 'node:http';

export interface EmulatorOptions { host?: string; port?: number; logLevel?: string }
export interface RunningEmulator { url: string; port: number; close(): Promise<void> }

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const server = http.createServer((_req, res) => res.writeHead(501).end());
  await new Promise<void>((resolve) => server.listen(options.port ?? 4100, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, port, close: () => new Promise((r) => server.close(() => r())) };
}
