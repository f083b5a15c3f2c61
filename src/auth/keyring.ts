import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { SecurityConfig } from '../config/app-config.js';
import { randomToken } from '../common/crypto.js';

/** The process's secrets: from config, or generated once into DATA_DIR (mode 0600) for a single box. */
export interface Keyring {
  encryptionKey: Buffer;
  sessionSecret: string;
  adminToken: string;
  /** Set when the admin token was generated into a file (its path is logged, never the token). */
  adminTokenFile?: string;
}

export const KEYRING = Symbol('KEYRING');

export function loadKeyring(security: SecurityConfig): Keyring {
  mkdirSync(security.dataDir, { recursive: true });
  const encryptionKey = security.encryptionKey
    ?? Buffer.from(persisted(security.dataDir, 'encryption-key', () => randomBytes(32).toString('base64')), 'base64');
  const sessionSecret = security.sessionSecret
    ?? persisted(security.dataDir, 'session-secret', () => randomBytes(48).toString('base64url'));
  if (security.adminToken) return { encryptionKey, sessionSecret, adminToken: security.adminToken };
  const adminTokenFile = path.join(security.dataDir, 'admin-token');
  const adminToken = persisted(security.dataDir, 'admin-token', () => randomToken('adm_', 32));
  return { encryptionKey, sessionSecret, adminToken, adminTokenFile };
}

function persisted(dir: string, name: string, generate: () => string): string {
  const file = path.join(dir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = generate();
  writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return value;
}
