/**
 * IPv4 CIDR arithmetic for address-space validation at synth time: parse, containment and overlap.
 * Azure rejects a prefix whose address is not the network address (`10.0.0.1/24`), so that is an
 * error here too.
 */

export interface Cidr {
  readonly text: string;
  /** Network address as an unsigned 32-bit integer. */
  readonly start: number;
  /** Last address (broadcast) as an unsigned 32-bit integer. */
  readonly end: number;
  readonly prefixLength: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns an error message instead when the text is not an aligned IPv4 CIDR. */
export function parseCidr(text: string): Cidr | string {
  const m = CIDR.exec(text);
  if (m === null) return 'an IPv4 CIDR such as 10.20.0.0/24';
  const octets = m.slice(1, 5).map(Number);
  const prefixLength = Number(m[5]);
  if (octets.some((o) => o > 255) || prefixLength > 32)
    return 'an IPv4 CIDR with octets 0-255 and a prefix /0-/32';
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefixLength);
  const start = Math.floor(address / size) * size;
  if (start !== address) {
    return `an aligned CIDR (the network address of this prefix is ${formatIp(start)}/${prefixLength})`;
  }
  return { text, start, end: start + size - 1, prefixLength };
}

export function formatIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.start <= b.end && b.start <= a.end;
}
