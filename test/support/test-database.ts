import { randomBytes } from 'node:crypto';
import { adminQuery, dropDatabase, urlFor } from './pg-admin.js';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database cloned from this run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const run = process.env.GW_TEST_RUN;
  const template = process.env.GW_TEST_TEMPLATE;
  if (!run || !template) throw new Error('test/support/global-setup.ts did not run');
  const name = `${run}_${randomBytes(4).toString('hex')}`;
  await cloneTemplate(name, template);
  return { name, url: urlFor(name), drop: () => dropDatabase(name) };
}

async function cloneTemplate(name: string, template: string): Promise<void> {
  // Cloning fails while another session is connected to the template; retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
}

/** An empty database (no migrations), for migration tests. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const run = process.env.GW_TEST_RUN;
  if (!run) throw new Error('test/support/global-setup.ts did not run');
  const name = `${run}_empty_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  return { name, url: urlFor(name), drop: () => dropDatabase(name) };
}
