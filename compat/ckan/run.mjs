// run.mjs harvests a Socle instance through its CKAN Action API with the
// ckanapi client, the way CKAN harvesters and ckanapi's "dump" do:
// status_show, package_list, package_show for each package, then every
// DataStore resource read page by page with datastore_search. It prints
// one JSON object; errors from the API are reported in it, not thrown.
//
// usage: node run.mjs BASE_URL [API_TOKEN] [PAGE_SIZE]
import CkanApi from "ckanapi";

const [base, token, pageArg] = process.argv.slice(2);
const pageSize = Number(pageArg || 2);
let portal = new CkanApi.Portal(base);
if (token) portal = portal.withToken(token);

const out = { packages: {}, records: {}, errors: {} };
out.status = await portal.action.status_show();
out.package_list = await portal.action.package_list();
// package_list names public datasets only; with a token, private ones the
// token may read come from package_search, as CKAN harvesters do.
const names = [...out.package_list];
if (token) {
  const fq = names.length ? "-name:(" + names.join(" OR ") + ")" : "";
  const priv = await portal.action.package_search({ fq, include_private: true, rows: 1000 });
  out.private = priv.results.map((p) => p.name);
  names.push(...out.private);
}
for (const name of names) {
  const pkg = await portal.action.package_show({ id: name });
  out.packages[name] = pkg;
  for (const res of pkg.resources.filter((r) => r.datastore_active)) {
    const rows = [];
    let total = null;
    for (let offset = 0; ; offset += pageSize) {
      const page = await portal.action.datastore_search({ resource_id: res.id, limit: pageSize, offset });
      total = page.total;
      rows.push(...page.records);
      if (page.records.length < pageSize) {
        out.fields = out.fields || {};
        out.fields[name] = page.fields;
        break;
      }
    }
    out.records[name] = { total, rows };
  }
}
out.organizations = await portal.action.organization_list({ all_fields: true });
out.search = await portal.action.package_search({ fq: "res_format:CSV", rows: 1, "facet.field": ["organization", "tags"] });
try {
  await portal.action.package_show({ id: "does-not-exist" });
} catch (e) {
  out.errors.package_show = e;
}
try {
  await portal.action.datastore_search({ resource_id: out.package_list[0], filters: { nope: 1 } });
} catch (e) {
  out.errors.datastore_search = e;
}
console.log(JSON.stringify(out));
