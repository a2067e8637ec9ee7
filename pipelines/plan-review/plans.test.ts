/**
 * The review of realistic azurerm plans: ./fixtures/plans holds `terraform show -json` output of the
 * dev stacks in the shape Terraform 1.13.4 writes it for azurerm 4.55.0 (hand-written: planning
 * azurerm needs Azure). Addresses are the ones `cdktf synth` gives the dev stacks.
 *
 * - environment-replaced: the provider reads back the `infrastructure_resource_group_name` Azure
 *   filled in; the argument is Optional + ForceNew and not Computed, so the plan replaces the
 *   Container Apps environment, and with it both apps, the environment's private DNS zone, its
 *   records and link, and the environment's diagnostic setting; the gateway is updated in place.
 * - environment-updated: the same environment updated in place (a workload profile, a tag).
 * - ingress-renamed: a naming change replaces the public IP, the WAF policy and the gateway.
 * - keyvault-dns-zone-moved: Key Vault's privatelink zone and its link move resource group.
 */
import { join } from 'node:path';
import { ALLOW_ENV, EXIT_BLOCKED, EXIT_OK, runCli } from './cli';
import { ALLOWED_LABEL } from './markdown';

const PLANS = join(__dirname, 'fixtures', 'plans');

function review(plan: string, args: string[] = [], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = runCli([join(PLANS, `${plan}.plan.json`), ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env,
  });
  return { code, stdout, stderr };
}

/** The verdict: everything between the totals and the first `##` section. */
function verdictOf(stdout: string): string {
  const start = stdout.indexOf('\n\n', stdout.indexOf('to delete.**')) + 2;
  const end = stdout.indexOf('\n## ');
  return stdout.slice(start, end === -1 ? undefined : end);
}

const ENVIRONMENT = 'azurerm_container_app_environment.Platform_ContainerApps_9A8E0E9D';
/** What the environment's replacement takes with it, protected as outage-causing. */
const WITH_ENVIRONMENT = [
  'azurerm_container_app.Platform_Proxy_7D901F69',
  'azurerm_container_app.Platform_Runtime_271D0782',
  'azurerm_private_dns_zone.Platform_Ingress_EnvironmentDns_Zone_C5E38E98',
  'azurerm_private_dns_a_record.Platform_Ingress_EnvironmentDns_Apex_A862E169',
  'azurerm_private_dns_a_record.Platform_Ingress_EnvironmentDns_Wildcard_C2CCB671',
  'azurerm_private_dns_zone_virtual_network_link.Platform_Ingress_EnvironmentDns_VnetLink_7EB61FB4',
];
const ENVIRONMENT_DIAGNOSTICS =
  'azurerm_monitor_diagnostic_setting.Platform_ContainerApps_Diagnostics_840DC81C';

describe('a plan that replaces the Container Apps environment because of infrastructure_resource_group_name', () => {
  it('fails with exit 2, naming the environment, its category and the attribute that forces the replacement', () => {
    const { code, stdout, stderr } = review('environment-replaced');
    expect(code).toBe(EXIT_BLOCKED);
    expect(stdout).toContain(
      `| replace | \`${ENVIRONMENT}\` | \`infrastructure_resource_group_name\` | ` +
        '`replace_because_cannot_update` | **outage** |',
    );
    expect(verdictOf(stdout)).toContain(
      `- \`${ENVIRONMENT}\` (outage, replace): the environment's replacement recreates every app in it ` +
        'and changes its static IP and default domain',
    );
    expect(stderr).toContain(`${ENVIRONMENT} (outage, replace)`);
  });

  it('blocks the apps, DNS zone, records and link replaced with it, and lets the diagnostic setting through', () => {
    const { stdout, stderr } = review('environment-replaced');
    const verdict = verdictOf(stdout);
    expect(verdict.startsWith('**BLOCKED: 7 outage-causing resources would be deleted or replaced.**')).toBe(
      true,
    );
    for (const address of WITH_ENVIRONMENT) {
      expect(verdict).toContain(`- \`${address}\` (outage, replace): `);
      expect(stderr).toContain(`${address} (outage, replace)`);
    }
    expect(verdict).not.toContain(ENVIRONMENT_DIAGNOSTICS);
    expect(stdout).toContain(`| replace | \`${ENVIRONMENT_DIAGNOSTICS}\` | \`target_resource_id\` |`);
    expect(verdict).toContain(`${ALLOWED_LABEL}: none.`);
  });

  it('does not count the in-place updates (gateway backend, alert scopes) or the no-op identities', () => {
    const { stdout } = review('environment-replaced');
    expect(stdout).toContain('**0 to create, 3 to update, 8 to replace, 0 to delete.**');
    expect(stdout).not.toContain('azurerm_user_assigned_identity');
  });

  it('still fails when only the environment is allowed, listing it as allowed and the rest as blocked', () => {
    const { code, stdout, stderr } = review('environment-replaced', ['--allow-destroy', ENVIRONMENT]);
    expect(code).toBe(EXIT_BLOCKED);
    const verdict = verdictOf(stdout);
    expect(verdict.startsWith('**BLOCKED: 6 outage-causing resources would be deleted or replaced.**')).toBe(
      true,
    );
    const allowed = verdict.slice(verdict.indexOf(`${ALLOWED_LABEL}:`));
    expect(allowed).toContain(`- \`${ENVIRONMENT}\` (outage, replace): `);
    expect(allowed).not.toContain('none');
    expect(stdout).toContain(`| \`${ENVIRONMENT}\` | \`infrastructure_resource_group_name\` |`);
    expect(stdout).toContain('| outage (allowed) |');
    expect(stderr).not.toContain(ENVIRONMENT);
  });

  it('passes with exit 0 when every replaced address is allowed, naming each as allowed and never "none"', () => {
    const { code, stdout, stderr } = review('environment-replaced', [], {
      [ALLOW_ENV]: [ENVIRONMENT, ...WITH_ENVIRONMENT].join(' '),
    });
    expect(code).toBe(EXIT_OK);
    expect(stderr).toBe('');
    const verdict = verdictOf(stdout);
    expect(verdict).toContain(
      '**Passes: 7 outage-causing resources would be deleted or replaced, and every address is allowed.**',
    );
    expect(verdict).toContain(`${ALLOWED_LABEL}:\n`);
    for (const address of [ENVIRONMENT, ...WITH_ENVIRONMENT]) {
      expect(verdict).toContain(`- \`${address}\` (outage, replace): `);
    }
    expect(verdict).not.toContain('none');
    expect(verdict).not.toContain('No stateful');
    expect(stdout).not.toContain('## Allowances not used');
  });

  it('names both categories when a caller also declares a replaced type stateful, listing stateful ones first', () => {
    const { code, stdout } = review('environment-replaced', ['--stateful-type', 'azurerm_container_app']);
    expect(code).toBe(EXIT_BLOCKED);
    const verdict = verdictOf(stdout);
    expect(
      verdict.startsWith(
        '**BLOCKED: 2 stateful and 5 outage-causing resources would be deleted or replaced.**',
      ),
    ).toBe(true);
    expect(verdict).toContain('Deleting or replacing a stateful resource loses its data.');
    expect(verdict).toContain('Deleting or replacing an outage-causing resource takes the service down');
    const items = verdict.split('\n').filter((line) => line.startsWith('- '));
    expect(items.slice(0, 2)).toEqual([
      '- `azurerm_container_app.Platform_Proxy_7D901F69` (stateful, replace): listed as stateful with `--stateful-type`',
      '- `azurerm_container_app.Platform_Runtime_271D0782` (stateful, replace): listed as stateful with `--stateful-type`',
    ]);
    expect(items[2]).toMatch(new RegExp(`^- \`${ENVIRONMENT}\` \\(outage, replace\\): `));
  });
});

describe('a plan that updates the Container Apps environment in place', () => {
  it('passes with exit 0 and lists nothing as replaced, deleted or allowed', () => {
    const { code, stdout, stderr } = review('environment-updated');
    expect(code).toBe(EXIT_OK);
    expect(stderr).toBe('');
    expect(stdout).toContain('**0 to create, 1 to update, 0 to replace, 0 to delete.**');
    expect(stdout).toContain('| `azurerm_container_app_environment` | 0 | 1 | 0 | 0 |');
    expect(verdictOf(stdout)).toBe(
      `No stateful or outage-causing resource is deleted or replaced.\n\n${ALLOWED_LABEL}: none.\n`,
    );
    expect(stdout).not.toContain('## Replaced and deleted');
  });
});

describe('replacements of the ingress and of private DNS', () => {
  it.each([
    [
      'ingress-renamed',
      'azurerm_application_gateway.Platform_Ingress_BF54A8C0',
      'name',
      'the only public entry point',
    ],
    [
      'ingress-renamed',
      'azurerm_public_ip.Platform_Ingress_PublicIp_0520337A',
      'name',
      'a new resource gets a new IP',
    ],
    [
      'ingress-renamed',
      'azurerm_web_application_firewall_policy.Platform_Ingress_WafPolicy_3115DFAC',
      'name',
      'a WAF_v2 gateway cannot run without one',
    ],
    [
      'keyvault-dns-zone-moved',
      'azurerm_private_dns_zone.Foundation_Secrets_PrivateLink_DnsZone_4E417975',
      'resource_group_name',
      'those names stop resolving',
    ],
    [
      'keyvault-dns-zone-moved',
      'azurerm_private_dns_zone_virtual_network_link.Foundation_Secrets_PrivateLink_DnsZoneLink_DF06B544',
      'resource_group_name',
      'does not see the zone',
    ],
  ])('%s: blocks the replacement of %s (forced by %s) as an outage', (plan, address, attribute, why) => {
    const { code, stdout, stderr } = review(plan);
    expect(code).toBe(EXIT_BLOCKED);
    expect(stdout).toContain(
      `| replace | \`${address}\` | \`${attribute}\` | \`replace_because_cannot_update\` | **outage** |`,
    );
    const item = verdictOf(stdout)
      .split('\n')
      .find((line) => line.startsWith(`- \`${address}\` `));
    expect(item).toMatch(/ \(outage, replace\): /);
    expect(item).toContain(why);
    expect(stderr).toContain(`${address} (outage, replace)`);
  });

  it('passes the ingress rename once the gateway, public IP and WAF policy are allowed by flag', () => {
    const { code, stdout } = review('ingress-renamed', [
      '--allow-destroy',
      'azurerm_application_gateway.Platform_Ingress_BF54A8C0',
      '--allow-destroy',
      'azurerm_public_ip.Platform_Ingress_PublicIp_0520337A',
      '--allow-destroy',
      'azurerm_web_application_firewall_policy.Platform_Ingress_WafPolicy_3115DFAC',
    ]);
    expect(code).toBe(EXIT_OK);
    expect(verdictOf(stdout)).toContain(
      '**Passes: 3 outage-causing resources would be deleted or replaced, and every address is allowed.**',
    );
  });
});
