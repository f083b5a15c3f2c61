// One migrated template database per test run; each test file clones it (CREATE DATABASE … TEMPLATE),
// so files are isolated and nothing depends on leftovers. Uses the built dist/ (npm test builds first):
// Jest loads global setup outside its ESM transform.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openAdapter } from '../../dist/database/driver-adapters.js';
import { migrate } from '../../dist/database/migrator.js';

const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

export default async function globalSetup() {
  const run = `gwt_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const template = `${run}_template`;
  await adminQuery(`CREATE DATABASE "${template}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${template}`;
  const opened = await openAdapter({ kind: 'postgres', url: url.toString() }, 1);
  try {
    await migrate(opened.factory);
  } finally {
    await opened.close();
  }
  // A template cannot be cloned while anyone is connected to it.
  await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${template}' AND pid <> pg_backend_pid()`);
  process.env.GW_TEST_RUN = run;
  process.env.GW_TEST_TEMPLATE = template;
}
