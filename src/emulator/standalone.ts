import { envValue } from '../config/load-env.js';
import { startEmulator } from './emulator-server.js';

/** `npm run emulator`: the emulator on its own, on EMULATOR_HOST:EMULATOR_PORT (default 127.0.0.1:4100). */
async function main(): Promise<void> {
  const host = envValue('EMULATOR_HOST') || '127.0.0.1';
  const portText = envValue('EMULATOR_PORT') || '4100';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('EMULATOR_PORT must be a whole number between 0 and 65535\n');
    process.exit(1);
  }
  // startEmulator logs where it listens and where the agent console is.
  const emulator = await startEmulator({ host, port, logLevel: envValue('LOG_LEVEL') || 'info' });
  const stop = (signal: string) => {
    process.stderr.write(`[emulator] ${signal}: stopping\n`);
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`emulator failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
