// Reads a Parquet file with DuckDB and prints its schema and rows as JSON,
// so that cmd/socle tests can check Socle's Parquet exports with an
// independent reader. Usage: node duckdb-read.mjs FILE.parquet
import { DuckDBInstance } from '@duckdb/node-api';

const [file] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const quoted = `'${file.replace(/'/g, "''")}'`;
const schema = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quoted})`);
const rows = await conn.runAndReadAll(`SELECT * FROM read_parquet(${quoted})`);
process.stdout.write(JSON.stringify({
  columns: schema.getRowObjectsJson().map((c) => ({ name: c.column_name, type: c.column_type })),
  rows: rows.getRowObjectsJson(),
}));
