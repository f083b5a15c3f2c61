import type { AppConfig } from './config/app-config.js';
import { startEmulator } from './emulator/emulator-server.js';

/** main.ts may start the emulator in-process; nothing else outside emulator/ imports it. */
export async function startEmulatorForGateway(config: AppConfig): Promise<{ url: string; close(): Promise<void> }> {
  return startEmulator({ host: config.connect.emulatorHost, port: config.connect.emulatorPort, logLevel: config.logLevel });
}
