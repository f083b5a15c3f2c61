import type { AppConfig } from '../config/app-config.js';
import type { DatabaseTarget } from './driver-adapters.js';

export function databaseTarget(config: AppConfig): DatabaseTarget {
  return config.database.url
    ? { kind: 'postgres', url: config.database.url }
    : { kind: 'embedded', dir: config.security.dataDir };
}
