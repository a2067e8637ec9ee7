/**
 * A source at run time: how one route turns a verified request into a message's key and delivery
 * id. Built once at start: the default source (`POST /webhook`: WEBHOOK_VERIFY / WEBHOOK_SECRET,
 * the seed's contract, unchanged) and one per WEBHOOK_SOURCES entry (`POST /webhooks/<name>`,
 * ./config.ts).
 */
import { MAX_CLIENT_ID_LENGTH, parseDocument, parsePayload, type DocumentResult } from '../http/payload';
import { createVerifier, type Verifier } from '../verify';
import { hmacVerifier } from '../verify/hmac';
import { rotatingVerifier } from '../verify/rotation';
import type { DeliveryIdRule, KeyRule, SourceConfig } from './config';

export type { SourceConfig } from './config';

/** The source name of `POST /webhook` in logs and metrics. */
export const DEFAULT_SOURCE = 'default';

/** Longest delivery id kept, in characters (a longer one is ignored: the message uses the correlationId). */
export const MAX_DELIVERY_ID_LENGTH = 1024;

type Header = (name: string) => string | undefined;
type Verified = { readonly ok: true; readonly deliveryId?: string };

/** A request the source cannot turn into a message: the problem's status, detail and pointers. */
export interface Refusal {
  ok: false;
  status: 400 | 422;
  detail: string;
  errors?: Array<{ pointer: string; detail: string }>;
}

/** What a verified request's body yields: the message key and, when the sender sent one, its delivery id. */
export type SourceRead = { ok: true; key: string; deliveryId: string | undefined } | Refusal;

export interface Source {
  /** `default` for POST /webhook, else the name in `/webhooks/<name>`. */
  readonly name: string;
  /** True for a WEBHOOK_SOURCES entry: its messages carry the source and delivery id (../publish). */
  readonly named: boolean;
  readonly verifier: Verifier;
  /** The CloudEvents `source`. */
  readonly ceSource: string;
  /** GitHub: a verified `X-GitHub-Event: ping` is answered 200 `pong` and not published. */
  readonly answersPing: boolean;
  read(rawBody: Buffer, header: Header, verified: Verified): SourceRead;
}

/** POST /webhook, exactly as before sources: the contract body, the scheme's delivery id. */
export function defaultSource(verifier: Verifier): Source {
  return {
    name: DEFAULT_SOURCE,
    named: false,
    verifier,
    ceSource: `/webhooks/${verifier.scheme}`,
    answersPing: false,
    read(rawBody, _header, verified) {
      const parsed = parsePayload(rawBody);
      if (!parsed.ok) return parsed;
      const { payload } = parsed;
      return {
        ok: true,
        key: payload.clientId,
        deliveryId: verified.deliveryId ?? verifier.deliveryIdFromBody?.(payload),
      };
    },
  };
}

/** An RFC 6901 pointer's reference tokens, unescaped (done once, at start). */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at an RFC 6901 pointer (own properties and array indexes only), or `undefined`. */
export function atPointer(document: unknown, pointer: string | readonly string[]): unknown {
  let node = document;
  for (const token of typeof pointer === 'string' ? pointerTokens(pointer) : pointer) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
      node = node[Number(token)];
    } else if (typeof node === 'object' && node !== null && Object.hasOwn(node, token)) {
      node = (node as Record<string, unknown>)[token];
    } else return undefined;
  }
  return node;
}

/** A string, or an integer written as one; anything else is not an identifier. */
const asText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : Number.isSafeInteger(value) ? String(value) : undefined;

/** Visible ASCII up to {@link MAX_DELIVERY_ID_LENGTH}: anything else is ignored, not refused. */
function usableDeliveryId(value: string | undefined): string | undefined {
  return value !== undefined && value.length <= MAX_DELIVERY_ID_LENGTH && /^[\x21-\x7e]+$/.test(value)
    ? value
    : undefined;
}

const LONE_SURROGATE = /\p{Cs}/u;

/** A key or delivery-id rule compiled at start: the header lower-cased, the pointer split. */
type Compiled =
  { header: string; label: string } | { tokens: readonly string[]; label: string } | { constant: string };

function compile(rule: KeyRule | DeliveryIdRule): Compiled {
  if ('constant' in rule) return { constant: rule.constant };
  if ('header' in rule) return { header: rule.header.toLowerCase(), label: rule.header };
  return { tokens: pointerTokens(rule.jsonPointer), label: rule.jsonPointer };
}

/** The message key from the rule, or why there is none. */
function readKey(rule: Compiled, document: unknown, header: Header): { key: string } | Refusal {
  let key: string | undefined;
  let where: string;
  if ('constant' in rule) return { key: rule.constant };
  if ('header' in rule) {
    key = header(rule.header)?.trim();
    where = `header ${rule.label}`;
  } else {
    key = asText(atPointer(document, rule.tokens));
    where = rule.label;
  }
  const problem = (detail: string): Refusal =>
    'header' in rule
      ? { ok: false, status: 400, detail: `${where} ${detail} (the message key)` }
      : { ok: false, status: 422, detail: `${where} ${detail}`, errors: [{ pointer: where, detail }] };
  if (key === undefined || key.trim() === '') return problem('must be a non-empty string or integer');
  if (key.length > MAX_CLIENT_ID_LENGTH && [...key].length > MAX_CLIENT_ID_LENGTH) {
    return problem(`must be at most ${MAX_CLIENT_ID_LENGTH} characters`);
  }
  if (LONE_SURROGATE.test(key)) return problem('must be well-formed Unicode (no lone surrogates)');
  return { key };
}

function readDeliveryId(rule: Compiled | undefined, document: unknown, header: Header): string | undefined {
  if (rule === undefined || 'constant' in rule) return undefined;
  const value = 'header' in rule ? header(rule.header) : asText(atPointer(document, rule.tokens));
  return usableDeliveryId(value);
}

/** The source's verifier: its scheme over its secrets, each active until its `notAfter`. */
export function sourceVerifier(config: SourceConfig): Verifier {
  const { verify } = config;
  if (verify === 'none') return createVerifier('none', []);
  return rotatingVerifier(config.secrets, (values) =>
    typeof verify === 'string' ? createVerifier(verify, values) : hmacVerifier(values, verify),
  );
}

export function createSource(config: SourceConfig): Source {
  const verifier = sourceVerifier(config);
  const keyRule = compile(config.key);
  const deliveryRule = config.deliveryId === undefined ? undefined : compile(config.deliveryId);
  const contract = config.body === 'contract';
  // The contract already validated /clientId as a key (non-empty, bounded, well-formed).
  const contractKey = contract && 'jsonPointer' in config.key && config.key.jsonPointer === '/clientId';
  return {
    name: config.name,
    named: true,
    verifier,
    ceSource: `/webhooks/${config.name}`,
    answersPing: config.verify === 'github',
    read(rawBody, header) {
      let document: unknown;
      if (contract) {
        const parsed = parsePayload(rawBody);
        if (!parsed.ok) return parsed;
        const { payload } = parsed;
        if (contractKey) {
          return {
            ok: true,
            key: payload.clientId,
            deliveryId: readDeliveryId(deliveryRule, payload, header),
          };
        }
        document = payload;
      } else {
        const parsed: DocumentResult = parseDocument(rawBody, true);
        if (!parsed.ok) return parsed;
        document = parsed.value;
      }
      const key = readKey(keyRule, document, header);
      if ('ok' in key) return key;
      return { ok: true, key: key.key, deliveryId: readDeliveryId(deliveryRule, document, header) };
    },
  };
}
