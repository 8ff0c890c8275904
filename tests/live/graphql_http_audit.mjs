// The GraphQL over HTTP audit of the `graphql-http` package (pinned in package.json),
// run against a live server. Prints one JSON array: {id, name, status, reason} per audit.
// Usage: node tests/live/graphql_http_audit.mjs http://127.0.0.1:PORT/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node graphql_http_audit.mjs <url>');
  process.exit(2);
}
const results = await auditServer({ url });
const report = await Promise.all(
  results.map(async (r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    reason: r.status === 'ok' ? null : r.reason,
    // What the server answered, for the failures: enough to see why.
    response:
      r.status === 'ok' || !r.response
        ? null
        : { status: r.response.status, body: (await r.response.text()).slice(0, 500) },
  })),
);
console.log(JSON.stringify(report));
