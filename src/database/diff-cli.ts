// `npm run db:diff -- <name>`: writes a new migration taking a scratch database with every existing
// migration applied to schema.prisma. Needs DATABASE_URL pointing at an empty, disposable database.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { configFromProcess } from '../config/load-env.js';
import { openAdapter } from './driver-adapters.js';
import { applyMigrations, diffDatabaseToSchema, MIGRATIONS_DIR, openSchemaEngine } from './schema-engine.js';

const name = process.argv[2];
const config = configFromProcess();
if (!name || !/^[a-z0-9_]+$/.test(name) || !config.database.url) {
  console.error('usage: DATABASE_URL=<empty scratch database> npm run db:diff -- <snake_case_name>');
  process.exit(2);
}
const opened = await openAdapter({ kind: 'postgres', url: config.database.url }, 2);
const engine = await openSchemaEngine(opened.factory);
await applyMigrations(engine);
const sql = await diffDatabaseToSchema(engine);
if (!sql) {
  console.log('schema.prisma matches the migrations: nothing to write');
} else {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'migration.sql'), `${sql}\n`);
  console.log(`wrote ${dir}`);
}
engine.free();
await opened.close();
