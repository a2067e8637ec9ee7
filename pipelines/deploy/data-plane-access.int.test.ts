/**
 * data-plane-access.sh against the az/curl test doubles: open lets exactly this agent's egress IP
 * through the firewalls `deployer_ip_rule_targets` names and waits for them; close removes exactly
 * what open added, also after a failed step in between; nothing else is ever changed.
 */
import { readFileSync } from 'node:fs';
import {
  EGRESS_IP,
  FORBIDDEN_BY_RBAC,
  REGISTRY,
  Sandbox,
  VAULT,
  foundationOutputs,
  privateCloud,
  type Cloud,
} from './test-support';

const SCRIPT = 'data-plane-access.sh';
let box: Sandbox;
let outputs: string;

function setUp(cloud: Cloud = privateCloud(), overrides: Record<string, string> = {}): void {
  box = new Sandbox(cloud);
  outputs = box.writeOutputs('foundation', foundationOutputs(overrides));
}

afterEach(() => box.remove());

const vaultRules = () => box.cloud().keyvaults?.[VAULT]?.ipRules;
const registryRules = () => box.cloud().registries?.[REGISTRY]?.ipRules;
/** The add calls with "add" replaced by "remove": what a faithful close must call. */
const addsAsRemoves = () =>
  box
    .calls()
    .filter((c) => c[3] === 'add' && c[2] === 'network-rule')
    .map((c) => c.map((w, i) => (i === 3 ? 'remove' : w)));
const removes = () => box.calls().filter((c) => c[3] === 'remove' && c[2] === 'network-rule');

describe('open, then close', () => {
  it('adds this agent’s egress IP to each firewall (Key Vault as /32), waits for both, and close removes exactly those rules', () => {
    setUp();
    const opened = box.run(SCRIPT, ['open', outputs]);
    expect(opened.code).toBe(0);
    expect(vaultRules()).toEqual(['198.51.100.7/32', `${EGRESS_IP}/32`]);
    expect(registryRules()).toEqual(['192.0.2.1', EGRESS_IP]);
    expect(box.callsTo('az keyvault network-rule add')).toEqual([
      [
        'az',
        'keyvault',
        'network-rule',
        'add',
        '--name',
        VAULT,
        '--ip-address',
        `${EGRESS_IP}/32`,
        '--output',
        'none',
      ],
    ]);
    expect(box.callsTo('az acr network-rule add')).toEqual([
      ['az', 'acr', 'network-rule', 'add', '--name', REGISTRY, '--ip-address', EGRESS_IP, '--output', 'none'],
    ]);
    // It waited for both data planes after adding the rules.
    const calls = box.calls().map((c) => c.slice(0, 4).join(' '));
    expect(calls.lastIndexOf('az keyvault secret list')).toBeGreaterThan(
      calls.indexOf('az acr network-rule add'),
    );
    expect(calls).toContain('az acr repository list');

    const closed = box.run(SCRIPT, ['close', outputs]);
    expect(closed.code).toBe(0);
    expect(vaultRules()).toEqual(['198.51.100.7/32']);
    expect(registryRules()).toEqual(['192.0.2.1']);
    expect(removes()).toEqual(addsAsRemoves());
  });

  it('close removes exactly the rule open added even when a step between them failed', () => {
    setUp();
    expect(box.run(SCRIPT, ['open', outputs, 'keyvault']).code).toBe(0);
    box.setCloud((c) => {
      c.failures = [
        { match: 'az keyvault secret set', times: 1, stderr: '(InternalServerError) boom', exit: 1 },
      ];
    });
    const step = box.run('secrets.sh', [outputs]);
    expect(step.code).not.toBe(0);

    const closed = box.run(SCRIPT, ['close', outputs]);
    expect(closed.code).toBe(0);
    expect(vaultRules()).toEqual(['198.51.100.7/32']);
    expect(registryRules()).toEqual(['192.0.2.1']);
    expect(removes()).toEqual(addsAsRemoves());
    expect(removes()).toHaveLength(1);
  });

  it('close still removes the rules when open itself failed after adding them (the data plane never answered)', () => {
    setUp();
    box.setCloud((c) => {
      c.failures = [
        { match: 'az acr repository list', times: 100, stderr: 'denied: client with IP', exit: 1 },
      ];
    });
    const opened = box.run(SCRIPT, ['open', outputs], { DATA_PLANE_WAIT_ATTEMPTS: '3' });
    expect(opened.code).not.toBe(0);
    expect(opened.stderr).toContain(`registry ${REGISTRY} still refuses this agent after 3 tries`);
    expect(box.callsTo('az acr repository list')).toHaveLength(3);

    expect(box.run(SCRIPT, ['close', outputs]).code).toBe(0);
    expect(vaultRules()).toEqual(['198.51.100.7/32']);
    expect(registryRules()).toEqual(['192.0.2.1']);
  });

  it('never removes a rule it did not add: an IP already allowed is left alone by open and by close', () => {
    const cloud = privateCloud();
    cloud.keyvaults?.[VAULT]?.ipRules?.push(`${EGRESS_IP}/32`);
    setUp(cloud);
    expect(box.run(SCRIPT, ['open', outputs]).code).toBe(0);
    expect(box.callsTo('az keyvault network-rule add')).toEqual([]);
    expect(box.run(SCRIPT, ['close', outputs]).code).toBe(0);
    expect(box.callsTo('az keyvault network-rule remove')).toEqual([]);
    expect(vaultRules()).toEqual(['198.51.100.7/32', `${EGRESS_IP}/32`]);
    expect(registryRules()).toEqual(['192.0.2.1']);
  });

  it('never touches the default action, or anything but the IP rules it records', () => {
    setUp();
    box.run(SCRIPT, ['open', outputs]);
    box.run(SCRIPT, ['close', outputs]);
    const verbs = new Set(box.calls().map((c) => c.slice(0, 4).join(' ')));
    expect([...verbs].sort()).toEqual(
      [
        'curl -fsS --max-time 10',
        'az keyvault network-rule list',
        'az keyvault network-rule add',
        'az keyvault network-rule remove',
        'az acr network-rule list',
        'az acr network-rule add',
        'az acr network-rule remove',
        'az keyvault secret list',
        'az acr repository list',
      ].sort(),
    );
    expect(box.calls().flat().join(' ')).not.toMatch(/default-action|public-network-access/);
  });

  it('opens only the targets given on the command line', () => {
    setUp();
    expect(box.run(SCRIPT, ['open', outputs, 'registry']).code).toBe(0);
    expect(box.callsTo('az keyvault')).toEqual([]);
    expect(registryRules()).toContain(EGRESS_IP);
    expect(box.run(SCRIPT, ['close', outputs]).code).toBe(0);
    expect(registryRules()).toEqual(['192.0.2.1']);
  });

  it('a failed remove fails close and keeps the rule on record, so a second close can finish', () => {
    setUp();
    box.run(SCRIPT, ['open', outputs, 'keyvault']);
    box.setCloud((c) => {
      c.failures = [
        { match: 'az keyvault network-rule remove', times: 1, stderr: '(Conflict) busy', exit: 1 },
      ];
    });
    const first = box.run(SCRIPT, ['close', outputs]);
    expect(first.code).not.toBe(0);
    expect(readFileSync(box.accessState, 'utf8')).toContain(`keyvault\t${VAULT}\t${EGRESS_IP}/32`);
    expect(box.run(SCRIPT, ['close', outputs]).code).toBe(0);
    expect(vaultRules()).toEqual(['198.51.100.7/32']);
  });

  it('retries the rule change while the service connection’s role is still propagating', () => {
    setUp();
    box.setCloud((c) => {
      c.failures = [{ match: 'az keyvault network-rule add', times: 2, stderr: FORBIDDEN_BY_RBAC, exit: 1 }];
    });
    expect(box.run(SCRIPT, ['open', outputs, 'keyvault']).code).toBe(0);
    expect(box.callsTo('az keyvault network-rule add')).toHaveLength(3);
    expect(vaultRules()).toContain(`${EGRESS_IP}/32`);
  });
});

describe('nothing to open', () => {
  it('with empty deployer_ip_rule_targets (an agent inside the VNet), open and close change nothing and say so', () => {
    setUp(privateCloud(), { deployer_ip_rule_targets: '' });
    const opened = box.run(SCRIPT, ['open', outputs]);
    const closed = box.run(SCRIPT, ['close', outputs]);
    expect([opened.code, closed.code]).toEqual([0, 0]);
    expect(opened.stderr).toMatch(/no data plane to open .*without an IP rule/);
    expect(closed.stderr).toMatch(/nothing to close/);
    expect(box.calls()).toEqual([]);
    expect(box.cloud()).toEqual(privateCloud());
  });

  it('a target list that the command line narrows to nothing opens nothing', () => {
    setUp(privateCloud(), { deployer_ip_rule_targets: 'keyvault' });
    expect(box.run(SCRIPT, ['open', outputs, 'registry']).code).toBe(0);
    expect(box.calls()).toEqual([]);
  });
});

describe('refusals, before anything changes', () => {
  it.each(['<html>rate limited</html>', '256.1.2.3', '2001:db8::1', ''])(
    'refuses an egress IP answer that is not an IPv4 address: %j',
    (answer) => {
      setUp({ ...privateCloud(), egressResponse: answer });
      const opened = box.run(SCRIPT, ['open', outputs]);
      expect(opened.code).not.toBe(0);
      expect(opened.stderr).toContain('not an IPv4 address');
      expect(box.calls().filter((c) => c[0] === 'az')).toEqual([]);
    },
  );

  it('refuses an unknown target on the command line', () => {
    setUp();
    const opened = box.run(SCRIPT, ['open', outputs, 'keyvalt']);
    expect(opened.code).not.toBe(0);
    expect(opened.stderr).toContain("unknown target 'keyvalt'");
    expect(box.calls()).toEqual([]);
  });

  it('refuses an unknown target name in the outputs', () => {
    setUp(privateCloud(), { deployer_ip_rule_targets: 'keyvault,storage' });
    const opened = box.run(SCRIPT, ['open', outputs]);
    expect(opened.code).not.toBe(0);
    expect(opened.stderr).toContain("names 'storage'");
    expect(box.calls()).toEqual([]);
  });

  it('refuses an outputs file without deployer_ip_rule_targets', () => {
    box = new Sandbox(privateCloud());
    const { deployer_ip_rule_targets: _omitted, ...rest } = foundationOutputs();
    outputs = box.writeOutputs('foundation', rest);
    const opened = box.run(SCRIPT, ['open', outputs]);
    expect(opened.code).not.toBe(0);
    expect(opened.stderr).toContain("output 'deployer_ip_rule_targets' is missing");
  });

  it('prints its usage for a wrong call', () => {
    setUp();
    expect(box.run(SCRIPT, ['reopen', outputs]).code).toBe(2);
    expect(box.run(SCRIPT, []).code).toBe(2);
  });
});
