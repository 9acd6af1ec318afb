// duckdb_rollup.mjs — the DuckDB peer of bench/stats: loads DIR/org.csv and DIR/member.csv
// into tables of an in-memory database (not timed), runs the level-wise statements of
// DIR/duckdb.sql REPS times (timed; the previous run's tables dropped before, not timed) and
// exports the rollup with DIR/export.sql to DIR/out-duckdb.csv (not timed).
// Usage: node duckdb_rollup.mjs DIR [REPS]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import duckdb, { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const reps = Number(process.argv[3] ?? 3);
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();

let t0 = performance.now();
await conn.run(`CREATE TABLE org AS SELECT * FROM read_csv('${dir}/org.csv', header = true,
  columns = {'id': 'INTEGER', 'parent_id': 'INTEGER', 'depth': 'INTEGER', 'kind': 'VARCHAR',
             'domain': 'VARCHAR'})`);
await conn.run(`CREATE TABLE member AS SELECT id, org_id, gender, minority, edu, birth,
  "join" AS joined, occupation, probationary FROM read_csv('${dir}/member.csv', header = true,
  columns = {'id': 'INTEGER', 'org_id': 'INTEGER', 'gender': 'TINYINT', 'minority': 'TINYINT',
             'edu': 'TINYINT', 'birth': 'DATE', 'join': 'DATE', 'occupation': 'TINYINT',
             'probationary': 'TINYINT'})`);
console.log(`duckdb ${duckdb.version()}: loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const statements = readFileSync(`${dir}/duckdb.sql`, 'utf8')
  .split(';\n').map((s) => s.trim()).filter((s) => s.length > 0);
for (let i = 0; i < reps; i++) {
  await conn.run('DROP TABLE IF EXISTS leaf');
  await conn.run('DROP TABLE IF EXISTS rollup');
  t0 = performance.now();
  for (const s of statements) await conn.run(s);
  console.log(`TIME duckdb ${(performance.now() - t0).toFixed(2)}`);
}
const exportSql = readFileSync(`${dir}/export.sql`, 'utf8').trim();
await conn.run(`COPY (${exportSql}) TO '${dir}/out-duckdb.csv' (FORMAT csv, HEADER false)`);
