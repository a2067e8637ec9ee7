/**
 * Checks a Service Bus shared access signature the way the service does, so the test peer can
 * prove the SDK signed its CBS put-token with the key from the connection string.
 *
 * Token format (Microsoft "Service Bus access control with Shared Access Signatures"):
 * `SharedAccessSignature sr=<url-encoded resource>&sig=<url-encoded base64 HMAC-SHA256>&se=<expiry,
 * unix seconds>&skn=<key name>`, where the signature covers `<url-encoded resource>\n<expiry>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SasCheck {
  readonly valid: boolean;
  /** Why it was refused, for the CBS status-description. */
  readonly reason?: string;
  readonly keyName?: string;
  readonly resource?: string;
}

export function verifySasToken(token: string, keyName: string, key: string, nowMs = Date.now()): SasCheck {
  const prefix = 'SharedAccessSignature ';
  if (!token.startsWith(prefix)) return { valid: false, reason: 'not a SharedAccessSignature token' };
  const fields = new Map<string, string>();
  for (const pair of token.slice(prefix.length).split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0) fields.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = fields.get('se');
  const skn = fields.get('skn');
  if (sr === undefined || sig === undefined || se === undefined || skn === undefined) {
    return { valid: false, reason: 'token lacks sr, sig, se or skn' };
  }
  const resource = decodeURIComponent(sr);
  const name = decodeURIComponent(skn);
  if (name !== keyName) return { valid: false, reason: `unknown key name ${name}`, keyName: name, resource };
  if (Number(se) * 1000 <= nowMs) return { valid: false, reason: 'token expired', keyName: name, resource };
  const expected = createHmac('sha256', key).update(`${sr}\n${se}`).digest();
  const given = Buffer.from(decodeURIComponent(sig), 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { valid: false, reason: 'signature does not match the key', keyName: name, resource };
  }
  return { valid: true, keyName: name, resource };
}
