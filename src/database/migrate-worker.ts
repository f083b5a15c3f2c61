// The body of migrateInWorker(): migrates the Postgres database at workerData.url and reports the names applied.
import { parentPort, workerData } from 'node:worker_threads';
import { openAdapter } from './driver-adapters.js';
import { migrate } from './migrator.js';

const opened = await openAdapter({ kind: 'postgres', url: (workerData as { url: string }).url }, 1);
try {
  const applied = await migrate(opened.factory);
  // Closing the connection also releases the engine's session-level migration lock: before answering.
  await opened.close();
  parentPort!.postMessage(applied);
} catch (err) {
  await opened.close().catch(() => undefined);
  throw err;
}
