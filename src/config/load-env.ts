import { existsSync, readFileSync } from 'node:fs';
import dotenv from 'dotenv';
import type { AppConfig } from './app-config.js';
import { loadConfig } from './app-config.js';

/** The only reader of process.env: an optional .env file, then the environment itself (which wins). */
export function configFromProcess(envFile = '.env'): AppConfig {
  const fileVars = existsSync(envFile) ? dotenv.parse(readFileSync(envFile, 'utf8')) : {};
  return loadConfig({ ...fileVars, ...process.env });
}

/** Settings of tools (benchmarks, emulator standalone) that are not part of the gateway's config. */
export function envValue(name: string): string | undefined {
  return process.env[name];
}
