/**
 * The checkov findings we accept, each with its reason. A skip names the stacks it applies to and
 * the resources it covers (checkov reports `resource.<logical id>` for terraform_json). The
 * checkov test fails on any failure not listed here and on any listed skip that no longer matches
 * a failure, so this list is exactly what the scan finds, no more.
 */
import type { StackName } from './synth';

export { STACK_NAMES, type StackName } from './synth';

export interface Skip {
  readonly id: string;
  /** Which resources the skip covers, matched against checkov's `resource` field. */
  readonly resource: RegExp;
  readonly stacks: readonly StackName[];
  readonly reason: string;
}

const FOUNDATIONS: readonly StackName[] = ['dev-foundation', 'staging-foundation', 'prod-foundation'];
const PLATFORMS: readonly StackName[] = ['dev-platform', 'staging-platform', 'prod-platform'];
const REGISTRY = /\.Foundation_Registry_[0-9A-F]{8}$/;
const BUS = /\.Foundation_Bus_[0-9A-F]{8}$/;
const VAULT = /\.Foundation_Secrets_[0-9A-F]{8}$/;

export const skips: readonly Skip[] = [
  // --- Checks that do not apply to this design (all stacks, prod included) ---
  {
    id: 'CKV_AZURE_135',
    resource: /\.Platform_Ingress_WafPolicy_[0-9A-F]{8}$/,
    stacks: PLATFORMS,
    reason:
      'False positive: the check only recognises OWASP 3.1/3.2 rule sets. The policy uses Microsoft_DefaultRuleSet 2.1, whose JAVA rule group includes 944240 (Log4j, CVE-2021-44228) and is not overridden.',
  },
  {
    id: 'CKV_AZURE_160',
    resource: /\.Foundation_Network_GatewayAllowClientsHttpHttps_[0-9A-F]{8}$/,
    stacks: FOUNDATIONS,
    reason:
      'Port 80 reaches only the Application Gateway listener that answers with a permanent redirect to HTTPS (issue 3 requires the redirect); no backend is reachable over HTTP, and the WAF sits in front of both listeners.',
  },
  {
    id: 'CKV_AZURE_164',
    resource: REGISTRY,
    stacks: FOUNDATIONS,
    reason:
      "ACR content trust (Docker Content Trust / Notary v1) would refuse every unsigned push from the pipeline, and Microsoft is retiring it in favour of Notary Project signatures; images are pulled by pinned tag from a registry only the pipeline's identity can push to.",
  },
  {
    id: 'CKV_AZURE_165',
    resource: REGISTRY,
    stacks: FOUNDATIONS,
    reason:
      'The check asks for geo-replication "to match multi-region container deployments"; each environment runs in one region. A multi-region deployment sets ImageRegistry georeplicationLocations (Premium).',
  },
  {
    id: 'CKV_AZURE_166',
    resource: REGISTRY,
    stacks: FOUNDATIONS,
    reason:
      'Quarantine holds every pushed image until a scanner marks it verified; no quarantine-releasing scanner is part of this platform, so every new revision would fail to pull. Defender for Containers scans images without quarantine.',
  },
  {
    id: 'CKV_AZURE_199',
    resource: BUS,
    stacks: FOUNDATIONS,
    reason:
      'Double (infrastructure) encryption comes with serviceBus.customerManagedKey (see CKV_AZURE_201; checkov.int.test.ts proves the option passes); data is already encrypted at rest with Microsoft-managed keys.',
  },
  {
    id: 'CKV_AZURE_201',
    resource: BUS,
    stacks: FOUNDATIONS,
    reason:
      'Customer-managed keys are a compliance choice, not a default: they need a Key Vault key lifecycle owned by the platform team, and a lost or disabled key makes the namespace (and every queued webhook) unavailable. Available as serviceBus.customerManagedKey (Premium; checkov.int.test.ts proves it passes). Service Bus encrypts at rest with Microsoft-managed keys.',
  },
  {
    id: 'CKV_AZURE_202',
    resource: BUS,
    stacks: FOUNDATIONS,
    reason:
      "The namespace's own managed identity is only used to reach a customer-managed key (CKV_AZURE_201); clients authenticate with their own identities (local auth is off).",
  },
  // --- Deployer access: Microsoft-hosted agents reach the data planes through their own IP ---
  {
    id: 'CKV_AZURE_189',
    resource: VAULT,
    stacks: FOUNDATIONS,
    reason:
      'deployerNetwork agentIpFirewall (stacks/config.ts; Microsoft-hosted agents): the public endpoint is on with default action Deny and no IP rule in Terraform; the pipeline adds its own egress IP for one step and removes it in a step that always runs (pipelines/deploy/data-plane-access.sh). Workloads use the private endpoint. With self-hosted agents in the VNet set deployerNetwork privateNetwork, which turns public access off.',
  },
  {
    id: 'CKV_AZURE_139',
    resource: REGISTRY,
    stacks: ['staging-foundation', 'prod-foundation'],
    reason:
      'deployerNetwork agentIpFirewall: public endpoint on with network rule set default Deny and no IP rule in Terraform; the pipeline opens it for its own IP while it pushes (CKV_AZURE_189 above). The apps pull through the private endpoint.',
  },
  // --- bootstrap: the Terraform state storage ---
  {
    id: 'CKV_AZURE_59',
    resource: /\.StateStorage$/,
    stacks: ['bootstrap'],
    reason:
      'Microsoft-hosted pipeline agents read and write state over the public endpoint; shared keys are off, so only an Entra ID identity holding Storage Blob Data Contributor on the container gets in, and nothing is anonymous (allow_nested_items_to_be_public false).',
  },
  {
    id: 'CKV2_AZURE_33',
    resource: /\.StateStorage$/,
    stacks: ['bootstrap'],
    reason:
      'Same as CKV_AZURE_59: the state must be reachable by Microsoft-hosted agents; a private endpoint would need self-hosted agents in a network that exists before the state does.',
  },
  {
    id: 'CKV_AZURE_33',
    resource: /\.StateStorage$/,
    stacks: ['bootstrap'],
    reason:
      'The account has no queues (blobs only), and queue logging can only be configured through the data plane with shared keys, which are off.',
  },
  {
    id: 'CKV2_AZURE_21',
    resource: /\.StateContainer$/,
    stacks: ['bootstrap'],
    reason:
      'Blob read logging needs a Log Analytics workspace, which belongs to an environment the state must outlive; reads need an Entra ID role on this container, and role assignments and the account are in the Activity Log. Versioning and soft delete keep every state written.',
  },
  {
    id: 'CKV2_AZURE_1',
    resource: /\.StateStorage$/,
    stacks: ['bootstrap'],
    reason:
      'Customer-managed keys would make the state depend on a Key Vault key that must exist before the state does; the account uses Microsoft-managed keys with infrastructure (double) encryption on.',
  },
  // --- dev only: Standard SKUs to save cost (config.ts: messaging.sku Standard, privateRegistry false) ---
  {
    id: 'CKV_AZURE_204',
    resource: BUS,
    stacks: ['dev-foundation'],
    reason:
      'dev uses Service Bus Standard, which has no private endpoints: public network access stays on (clients still need Entra ID; local auth is off). staging and prod are Premium and private.',
  },
  {
    id: 'CKV_AZURE_139',
    resource: REGISTRY,
    stacks: ['dev-foundation'],
    reason:
      'dev uses a Standard registry (no private endpoint on Standard): public network access stays on, with admin user and anonymous pull off; pulls are by managed identity.',
  },
  {
    id: 'CKV_AZURE_233',
    resource: REGISTRY,
    stacks: ['dev-foundation'],
    reason: 'Zone redundancy is a Premium-only registry feature; dev uses Standard.',
  },
  {
    id: 'CKV_AZURE_237',
    resource: REGISTRY,
    stacks: ['dev-foundation'],
    reason: 'Dedicated data endpoints are Premium-only; dev uses Standard.',
  },
  {
    id: 'CKV_AZURE_167',
    resource: REGISTRY,
    stacks: ['dev-foundation'],
    reason: 'The untagged-manifest retention policy is Premium-only; dev uses Standard.',
  },
];

export function skipsFor(stack: StackName): Skip[] {
  return skips.filter((s) => s.stacks.includes(stack));
}
