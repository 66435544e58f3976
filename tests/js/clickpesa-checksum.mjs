// ClickPesa's documented canonical checksum, in plain JavaScript: a reference
// implementation for finconnect's differential test (tests/tests/clickpesa_differential.rs).
//
// Reads JSON lines on stdin:  {"id": <any>, "key": "<checksum key>", "body": "<raw JSON text>"}
// Writes JSON lines on stdout: {"id": <same>, "checksum": "<64 hex>", "canonical": "<signed text>"}
//                           or {"id": <same>, "error": "<message>"}
//
// The algorithm, as ClickPesa documents it: take the payload without `checksum` and
// `checksumMethod`, rebuild every object with its keys sorted by
// `Object.keys(obj).sort()` (arrays keep their order, elements are canonicalised),
// `JSON.stringify` the result, HMAC-SHA256 it with the checksum key, lower-case hex.
import { createHmac } from "node:crypto";
import { createInterface } from "node:readline";

function canonicalize(obj) {
  if (obj === null || typeof obj !== "object") return obj;
  if (Array.isArray(obj)) return obj.map(canonicalize);
  const sorted = {};
  for (const key of Object.keys(obj).sort()) {
    sorted[key] = canonicalize(obj[key]);
  }
  return sorted;
}

function checksum(key, payload) {
  const { checksum: _c, checksumMethod: _m, ...rest } = payload;
  const canonical = JSON.stringify(canonicalize(rest));
  const hex = createHmac("sha256", key).update(canonical, "utf8").digest("hex");
  return { checksum: hex, canonical };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === "") continue;
  let id = null;
  try {
    const request = JSON.parse(line);
    id = request.id;
    const payload = JSON.parse(request.body);
    if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
      throw new Error("the body is not a JSON object");
    }
    process.stdout.write(JSON.stringify({ id, ...checksum(request.key, payload) }) + "\n");
  } catch (e) {
    process.stdout.write(JSON.stringify({ id, error: String(e && e.message) }) + "\n");
  }
}
