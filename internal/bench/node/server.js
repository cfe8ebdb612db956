// The Node baseline of BenchmarkWebhookIngest (internal/bench): a webhook
// endpoint as a Node app written with Shopify's official library would
// have it. Each POST's body is read whole, verified with
// shopify.webhooks.validate (HMAC-SHA256 of the raw body, the headers), and
// stored in PostgreSQL with one INSERT ... ON CONFLICT DO NOTHING on a
// pooled connection before the 200 (401 for a bad signature).
//
// Usage: node server.js <port> <dsn> <schema> <secret>
// It prints "listening <port>" once ready and serves until killed.
import '@shopify/shopify-api/adapters/node';
import { shopifyApi, ApiVersion } from '@shopify/shopify-api';
import http from 'node:http';
import pg from 'pg';

const [port, dsn, schema, secret] = process.argv.slice(2);
const shopify = shopifyApi({
  apiKey: 'bench', apiSecretKey: secret, scopes: [], hostName: 'localhost',
  apiVersion: ApiVersion.July25, isEmbeddedApp: false, logger: { level: 0 },
});
const pool = new pg.Pool({ connectionString: dsn, max: 16 });
const q = (s) => s.replaceAll('$schema', '"' + schema.replaceAll('"', '""') + '"');
await pool.query(q('CREATE SCHEMA IF NOT EXISTS $schema'));
await pool.query(q(`CREATE TABLE IF NOT EXISTS $schema.inbox (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  webhook_id text NOT NULL UNIQUE, topic text NOT NULL, shop text NOT NULL,
  api_version text NOT NULL, body bytea NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`));
const insert = q(`INSERT INTO $schema.inbox (webhook_id, topic, shop, api_version, body)
  VALUES ($1, $2, $3, $4, $5) ON CONFLICT (webhook_id) DO NOTHING`);

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const rawBody = Buffer.concat(chunks);
      const check = await shopify.webhooks.validate({ rawBody: rawBody.toString('utf8'), rawRequest: req, rawResponse: res });
      if (!check.valid) {
        res.writeHead(401).end();
        return;
      }
      await pool.query(insert, [check.webhookId, check.topic, check.domain, check.apiVersion, rawBody]);
      res.writeHead(200).end();
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(port), '127.0.0.1', () => console.log('listening ' + server.address().port));
