import { after } from 'node:test';
import pg from 'pg';
import { runAlertStoreContract, runAuditAppendOnlyContract } from '../contract/alert-store-contract.js';
import { openPostgresStore, type PostgresAlertStore } from './postgres-store.js';
import { postgresTestUrl, postgresAvailable } from '../../testing/services.js';

const url = postgresTestUrl();
const available = await postgresAvailable(url);
const schemas: string[] = [];
let n = 0;

// Each test gets its own schema so tests never see each other's rows; dropped at the end.
runAlertStoreContract(
  'postgres',
  async () => {
    const schema = `contract_${process.pid}_${n++}`;
    schemas.push(schema);
    return openPostgresStore(url, { schema });
  },
  { skip: available ? false : `PostgreSQL not reachable at ${url} (.ci/run starts it; set SURVEILLANCE_TEST_PG)` },
);

runAuditAppendOnlyContract(
  'postgres',
  async () => {
    const schema = `contract_${process.pid}_${n++}`;
    schemas.push(schema);
    return openPostgresStore(url, { schema });
  },
  async (store, sql) => {
    await (store as PostgresAlertStore).pool.query(sql);
  },
  { skip: available ? false : `PostgreSQL not reachable at ${url}` },
);

after(async () => {
  if (!available) return;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await c.end();
});
