/**
 * What can be known about a subnet at synth time. Constructs take either the provider `Subnet`
 * object (then its literal address prefixes and delegations are read and validated) or a plain
 * resource id (an existing subnet: nothing can be checked before apply).
 */
import { Token } from 'cdktf';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';

/** A subnet created in this app (provider object) or the resource id of an existing one. */
export type SubnetRef = Subnet | string;

/** What is known about a subnet at synth time: its id and, for a created subnet, its prefixes and delegations. */
export interface SubnetFacts {
  /** Resource id (a token for a created subnet). */
  readonly id: string;
  /** Literal CIDR prefixes, when known at synth time. */
  readonly addressPrefixes?: readonly string[];
  /** Service names the subnet is delegated to, when known at synth time. */
  readonly delegations?: readonly string[];
  /** The construct path of a created subnet: two refs to one subnet share it. */
  readonly path?: string;
}

export function subnetFacts(subnet: SubnetRef): SubnetFacts {
  if (typeof subnet === 'string') return { id: subnet };
  const prefixes = subnet.addressPrefixesInput;
  const delegation = subnet.delegationInput;
  return {
    id: subnet.id,
    path: subnet.node.path,
    addressPrefixes:
      Array.isArray(prefixes) &&
      !Token.isUnresolved(prefixes) &&
      prefixes.every((p) => !Token.isUnresolved(p))
        ? prefixes
        : undefined,
    delegations: Array.isArray(delegation)
      ? delegation.map((d) => d.serviceDelegation.name)
      : delegation === undefined
        ? []
        : undefined,
  };
}

/** The prefix length of `cidr` (`10.0.0.0/27` → 27), or undefined when it is not an IPv4 CIDR. */
export function prefixLength(cidr: string): number | undefined {
  const m = /^\d{1,3}(?:\.\d{1,3}){3}\/(\d{1,2})$/.exec(cidr);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** True when two refs certainly name the same subnet (same construct, or the same literal id). */
export function sameSubnet(a: SubnetFacts, b: SubnetFacts): boolean {
  if (a.path !== undefined && b.path !== undefined) return a.path === b.path;
  return !Token.isUnresolved(a.id) && a.id.toLowerCase() === b.id.toLowerCase();
}
