import 'reflect-metadata';
import { ConfigError } from './config/env-parsers.js';
import { configFromProcess } from './config/load-env.js';
import { startGateway } from './bootstrap.js';
import { startEmulatorForGateway } from './emulator-launcher.js';
import { limitHeapGrowth } from './heap-growth.js';

limitHeapGrowth();

async function main(): Promise<void> {
  let config;
  try {
    config = configFromProcess();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  const gateway = await startGateway(config, { startEmulator: startEmulatorForGateway });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`shutdown after ${signal} failed`, err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('gateway failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
