// A push service for the browser tests, the Node twin of server/tests/api/push_mock.rs. A
// browser's pushManager.subscribe() cannot reach a real push service on these machines, so the
// test stands this one's endpoint and keys in for the browser's. It checks what a real push
// service checks (the VAPID JWT: ES256 by the server's published key, aud its own origin, exp
// within 24 hours, a sub), then decrypts the message as the browser would (RFC 8291), so the
// test can hand the browser's service worker exactly what a real push would deliver.
import { createECDH, createHmac, createDecipheriv, createPublicKey, randomBytes, verify } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

const b64url = (buf: Buffer) => buf.toString("base64url");
const unb64url = (text: string) => Buffer.from(text, "base64url");

export type Delivered = {
  payload: { title: string; body: string; url: string; tag: string };
  claims: Record<string, unknown>;
  topic: string | undefined;
};

export type PushMock = {
  origin: string;
  /** The subscription a browser would have: endpoint and keys. */
  subscription: { endpoint: string; p256dh: string; auth: string };
  delivered: Delivered[];
  rejected: string[];
  close: () => Promise<void>;
};

const hmac = (key: Buffer, data: Buffer) => createHmac("sha256", key).update(data).digest();
/** HKDF with a single block: every length here is 32 bytes or less. */
const hkdf = (salt: Buffer, ikm: Buffer, info: Buffer, length: number) =>
  hmac(hmac(salt, ikm), Buffer.concat([info, Buffer.from([1])])).subarray(0, length);

/** Decrypts an aes128gcm push message for the subscription with these keys (RFC 8291 §3.4). */
export function decrypt(uaPrivate: Buffer, auth: Buffer, body: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const idLength = body[20];
  const asPublic = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(uaPrivate);
  const uaPublic = ecdh.getPublicKey();
  const secret = ecdh.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), uaPublic, asPublic]);
  const ikm = hkdf(auth, secret, keyInfo, 32);
  const cek = hkdf(salt, ikm, Buffer.from("Content-Encoding: aes128gcm\0"), 16);
  const nonce = hkdf(salt, ikm, Buffer.from("Content-Encoding: nonce\0"), 12);
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // One record: the content, then the delimiter 2, then zero padding.
  let end = padded.length - 1;
  while (end > 0 && padded[end] === 0) end -= 1;
  if (padded[end] !== 2) throw new Error("no last-record delimiter");
  return padded.subarray(0, end);
}

function checkVapid(authorization: string | undefined, serverKey: string, origin: string): Record<string, unknown> {
  const match = /^vapid t=([^,\s]+),\s*k=([^,\s]+)$/.exec(authorization ?? "");
  if (!match) throw new Error(`not a vapid Authorization: ${authorization}`);
  const [, token, key] = match;
  if (key !== serverKey) throw new Error("k is not the server's published key");
  const [header, claims, signature] = token.split(".");
  if (JSON.parse(unb64url(header).toString()).alg !== "ES256") throw new Error("JWT alg is not ES256");
  const raw = unb64url(key);
  const publicKey = createPublicKey({
    key: { kty: "EC", crv: "P-256", x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33, 65)) },
    format: "jwk",
  });
  const good = verify("sha256", Buffer.from(`${header}.${claims}`), { key: publicKey, dsaEncoding: "ieee-p1363" }, unb64url(signature));
  if (!good) throw new Error("the JWT signature does not verify with k");
  const c = JSON.parse(unb64url(claims).toString());
  if (c.aud !== origin) throw new Error(`aud is ${c.aud}, not ${origin}`);
  const now = Math.floor(Date.now() / 1000);
  if (typeof c.exp !== "number" || c.exp <= now || c.exp > now + 24 * 3600) throw new Error(`exp ${c.exp} is not within 24 hours`);
  if (typeof c.sub !== "string" || !/^(mailto:|https:)/.test(c.sub)) throw new Error(`sub is ${c.sub}`);
  return c;
}

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((ok, fail) => {
    const parts: Buffer[] = [];
    req.on("data", (p: Buffer) => parts.push(p));
    req.on("end", () => ok(Buffer.concat(parts)));
    req.on("error", fail);
  });

/** Starts on a free port of 127.0.0.1 with one device subscribed; `serverKey` is the VAPID key the server publishes. */
export async function startPushMock(serverKey: string): Promise<PushMock> {
  const device = createECDH("prime256v1");
  device.generateKeys();
  const auth = randomBytes(16);
  const delivered: Delivered[] = [];
  const rejected: string[] = [];
  let origin = "";
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    try {
      if (req.method !== "POST" || req.url !== "/push/device") throw new Error(`no such subscription: ${req.url}`);
      const claims = checkVapid(req.headers.authorization, serverKey, origin);
      if (req.headers["content-encoding"] !== "aes128gcm") throw new Error("Content-Encoding is not aes128gcm");
      if (!/^\d+$/.test(String(req.headers.ttl ?? ""))) throw new Error("no TTL");
      if (body.length > 4096) throw new Error("over 4096 bytes");
      const payload = JSON.parse(decrypt(device.getPrivateKey(), auth, body).toString());
      delivered.push({ payload, claims, topic: req.headers.topic as string | undefined });
      res.writeHead(201).end();
    } catch (err) {
      rejected.push(String(err));
      res.writeHead(400).end(String(err));
    }
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    subscription: { endpoint: `${origin}/push/device`, p256dh: b64url(device.getPublicKey()), auth: b64url(auth) },
    delivered,
    rejected,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
