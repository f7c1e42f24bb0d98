// A receiver of Relay's signed webhooks (the order API and the CRM), verifying them the Standard Webhooks way.
// No dependencies: node's crypto and http only.
//
//   WEBHOOK_SECRET=whsec_... PORT=8080 node docs/examples/webhook-receiver.mjs
//
// WEBHOOK_SECRET is Relay's Orders:SigningSecret or Crm:SigningSecret: `whsec_<base64>` (the base64 part is the key)
// or plain text (its UTF-8 bytes). Every request must carry
//   webhook-id         the delivery's stable id (the Idempotency-Key; the same on every retry)
//   webhook-timestamp  unix seconds of this attempt
//   webhook-signature  v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{raw body}"> (several may be
//                      given, separated by spaces)
// A request with a bad signature, or a timestamp more than 5 minutes away from now, is answered 401. A verified one is
// answered 200 and printed as one JSON line: {"verified":true,"id":...,"event":...,"body":{...}}.
// Deduplicate on webhook-id: a retry after a lost answer carries the same id (this example answers it 200 again).
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const TOLERANCE_SECONDS = 5 * 60;

function signingKey(secret) {
  if (!secret) throw new Error("set WEBHOOK_SECRET");
  return secret.startsWith("whsec_") ? Buffer.from(secret.slice("whsec_".length), "base64") : Buffer.from(secret, "utf8");
}

export function verify(key, headers, rawBody, nowSeconds = Math.floor(Date.now() / 1000)) {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (!id || !timestamp || !signatures) return "missing webhook-id, webhook-timestamp or webhook-signature";
  if (!/^\d+$/.test(timestamp)) return "bad timestamp";
  if (Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return "timestamp too old or too new";
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, "utf8"), rawBody]);
  const expected = createHmac("sha256", key).update(signed).digest();
  for (const candidate of signatures.split(" ")) {
    const [version, value] = candidate.split(",", 2);
    if (version !== "v1" || !value) continue;
    const given = Buffer.from(value, "base64");
    if (given.length === expected.length && timingSafeEqual(given, expected)) return null;
  }
  return "no matching signature";
}

const key = signingKey(process.env.WEBHOOK_SECRET);
const server = createServer((req, res) => {
  if (req.method !== "POST") {
    res.writeHead(405).end();
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks);
    const problem = verify(key, req.headers, raw);
    if (problem) {
      console.log(JSON.stringify({ verified: false, id: req.headers["webhook-id"] ?? null, problem }));
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: problem }));
      return;
    }
    let body = null;
    try { body = JSON.parse(raw.toString("utf8")); } catch { /* printed as null */ }
    console.log(JSON.stringify({ verified: true, id: req.headers["webhook-id"], event: body?.event ?? "order", body }));
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ received: true }));
  });
});
server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? "127.0.0.1", () => {
  const { address, port } = server.address();
  console.log(JSON.stringify({ listening: `http://${address}:${port}/` }));
});
