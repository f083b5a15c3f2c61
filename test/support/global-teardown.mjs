import { adminQuery } from './global-setup.mjs';

export default async function globalTeardown() {
  const run = process.env.GW_TEST_RUN;
  if (!run) return;
  const { rows } = await adminQuery(`SELECT datname FROM pg_database WHERE datname LIKE '${run}%'`);
  for (const row of rows) await adminQuery(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
}
