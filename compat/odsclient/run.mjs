// Runs the official Opendatasoft client (@opendatasoft/api-client) against a
// Socle server and prints every response as one JSON object on stdout. The
// Go test cmd/socle/odsclient_test.go starts the server, runs this script
// and checks the answers against its own computation on the source file.
//
// Usage: node run.mjs BASE_URL API_KEY
import pkg from '@opendatasoft/api-client';

const { ApiClient, fromCatalog, field, string } = pkg;

const [base, apiKey] = process.argv.slice(2);
const client = new ApiClient({ domain: base, apiKey: apiKey || undefined });
const ds = fromCatalog().dataset('somme');

const queries = {
  catalog: fromCatalog().datasets().limit(50),
  dataset: ds.itself(),
  whereCount: ds.records().where(`${field('montant')} > 10000`).limit(0),
  groupBy: ds.records().where('montant > 10000').select('count(*) as n, sum(montant) as total')
    .groupBy('nature').orderBy('nature').limit(100),
  orderBy: ds.records().select('montant, nombeneficiaire').orderBy('-montant').limit(5),
  refine: ds.records().refine('nature:aide en numéraire').limit(0),
  search: ds.records().where(string('camping')).limit(10),
  facets: ds.facets().facet('nature'),
  exportJson: ds.export('json').where('montant > 100000').orderBy('montant'),
};

const out = {};
for (const [name, q] of Object.entries(queries)) {
  try {
    out[name] = { ok: true, url: q.toString(), body: await client.get(q) };
  } catch (e) {
    out[name] = { ok: false, url: q.toString(), error: String(e && e.message || e) };
  }
}
process.stdout.write(JSON.stringify(out));
