/**
 * Synth-time validation of a VNet address plan: every CIDR parses and is aligned, each subnet is
 * inside the VNet address space, no two subnets overlap, and each meets its minimum size.
 */
import { Token } from 'cdktf';
import { check, failure, type Rule } from '../core/validation';
import { contains, overlaps, parseCidr, type Cidr } from './cidr';

/** One subnet of the plan. */
export interface SubnetPlan {
  readonly field: string;
  readonly prefix: string;
  /** Longest prefix length accepted (i.e. smallest subnet). */
  readonly maxPrefixLength: number;
  readonly why: string;
}

/**
 * @param requireAddressSpace false when the VNet already exists and its space may be unknown here:
 *   an empty `addressSpace` then skips the containment check.
 */
export function addressPlanRules(
  addressSpace: readonly string[],
  plans: readonly SubnetPlan[],
  requireAddressSpace = true,
): Rule[] {
  const rules: Rule[] = [
    check('addressSpace', !requireAddressSpace || addressSpace.length > 0, 'at least one CIDR', '[]'),
  ];
  const spaces: Cidr[] = [];
  addressSpace.forEach((text, i) => {
    if (Token.isUnresolved(text)) return;
    const parsed = parseCidr(text);
    if (typeof parsed === 'string') rules.push(failure(`addressSpace[${i}]`, parsed, text));
    else spaces.push(parsed);
  });
  const subnets: { plan: SubnetPlan; cidr: Cidr }[] = [];
  for (const plan of plans) {
    if (Token.isUnresolved(plan.prefix)) continue;
    const parsed = parseCidr(plan.prefix);
    if (typeof parsed === 'string') {
      rules.push(failure(plan.field, parsed, plan.prefix));
      continue;
    }
    rules.push(
      check(
        plan.field,
        parsed.prefixLength <= plan.maxPrefixLength,
        `/${plan.maxPrefixLength} or larger (${plan.why})`,
        plan.prefix,
      ),
    );
    if (addressSpace.length > 0 && spaces.length === addressSpace.length) {
      rules.push(
        check(
          plan.field,
          spaces.some((space) => contains(space, parsed)),
          `inside the VNet address space ${addressSpace.join(', ')}`,
          plan.prefix,
        ),
      );
    }
    for (const other of subnets) {
      if (overlaps(other.cidr, parsed)) {
        rules.push(
          failure(plan.field, `not overlapping ${other.plan.field} (${other.plan.prefix})`, plan.prefix),
        );
      }
    }
    subnets.push({ plan, cidr: parsed });
  }
  return rules;
}
