/** Test fixture: a separate process that writes alerts one transaction at a time and reads between writes. */
import { sampleAlert } from '../contract/alert-store-contract.js';
import { openSqliteStore } from './sqlite-store.js';

const [path, prefix, countText] = process.argv.slice(2);
const store = openSqliteStore(path!);
for (let i = 0; i < Number(countText); i++) {
  await store.upsertAlerts([sampleAlert({ alert_id: `${prefix}-${i}` })]);
  if (i % 50 === 0) await store.listAlerts({ limit: 5 });
}
await store.close();
