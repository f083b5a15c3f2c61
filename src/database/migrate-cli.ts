// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database).
import { configFromProcess } from '../config/load-env.js';
import { databaseTarget } from './database-target.js';
import { describeTarget, openAdapter } from './driver-adapters.js';
import { migrate } from './migrator.js';

const config = configFromProcess();
const target = databaseTarget(config);
const opened = await openAdapter(target, 2);
try {
  const applied = await migrate(opened.factory);
  console.log(`${describeTarget(target)}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
} finally {
  await opened.close();
}
