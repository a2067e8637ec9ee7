import { findSecrets, type Finding } from './secrets';
import { STACK_NAMES, synthAll, type Synthesized, type TfJson } from './synth';

/**
 * The one accepted finding, checked rather than trusted: the runtime's container app receives the
 * Application Insights connection string as a container app *secret* (never an output or a plain
 * env value), and only while that Application Insights resource has local authentication disabled,
 * so the string's instrumentation key cannot ingest anything without the identity's Entra ID token
 * (Microsoft: the connection string is an identifier, not a credential, once local auth is off).
 * The foundation stack hands it to the platform stack through a sensitive cross-stack output.
 */
function acceptedFinding(tf: TfJson, finding: Finding): boolean {
  const crossStack = /^output\.(cross-stack-output-[^.]+)\.value$/.exec(finding.where);
  // The same string handed to the platform stack, which reads the foundation's state: only through
  // cdktf's cross-stack output, marked sensitive (terraform prints it as <sensitive>).
  const passedOn =
    crossStack !== null && (tf.output?.[crossStack[1] ?? ''] as { sensitive?: boolean }).sensitive === true;
  const m =
    (passedOn || /^azurerm_container_app\.[^.]+\.secret\[\d+\]\.value$/.test(finding.where)) &&
    /^references azurerm_application_insights\.([^.]+)\.connection_string$/.exec(finding.what);
  if (!m) return false;
  const insights = tf.resource?.azurerm_application_insights?.[m[1] ?? ''];
  return insights?.local_authentication_disabled === true;
}

let synth: Synthesized;
beforeAll(() => {
  synth = synthAll();
});
afterAll(() => synth.cleanup());

describe('no key, SAS or connection string in any stack', () => {
  it.each(STACK_NAMES)('%s: no output, variable or attribute holds or references one', (stack) => {
    const tf = synth.stacks.get(stack);
    expect(tf).toBeDefined();
    expect(findSecrets(tf ?? {}).filter((f) => !acceptedFinding(tf ?? {}, f))).toEqual([]);
  });

  it('every stack has outputs, and they were scanned', () => {
    for (const tf of synth.stacks.values()) expect(Object.keys(tf.output ?? {}).length).toBeGreaterThan(0);
  });
});

describe('the scanner itself (fails when a secret is exposed)', () => {
  it('accepts the Application Insights connection string in a container app secret only with local auth off', () => {
    const stack = (localAuthDisabled: boolean): TfJson => ({
      resource: {
        azurerm_application_insights: { ai: { local_authentication_disabled: localAuthDisabled } },
        azurerm_container_app: {
          app: { secret: [{ name: 'ai', value: '${azurerm_application_insights.ai.connection_string}' }] },
        },
      },
    });
    const accepted = (tf: TfJson): Finding[] => findSecrets(tf).filter((f) => !acceptedFinding(tf, f));
    expect(accepted(stack(true))).toEqual([]);
    expect(accepted(stack(false)).map((f) => f.where)).toEqual(['azurerm_container_app.app.secret[0].value']);
  });

  it('flags an output that references a connection string', () => {
    const findings = findSecrets({
      output: { bus: { value: '${azurerm_servicebus_namespace.bus.default_primary_connection_string}' } },
    });
    expect(findings).toEqual([
      {
        where: 'output.bus.value',
        what: 'references azurerm_servicebus_namespace.bus.default_primary_connection_string',
      },
    ]);
  });

  it('flags a resource attribute that references an access key, through an index', () => {
    const findings = findSecrets({
      resource: {
        azurerm_container_app: { app: { env: ['${azurerm_storage_account.sa.primary_access_key}'] } },
      },
    });
    expect(findings.map((f) => f.where)).toEqual(['azurerm_container_app.app.env[0]']);
  });

  it('flags literal SAS tokens and Service Bus connection strings, and outputs named like credentials', () => {
    const findings = findSecrets({
      output: { sas_token: { value: 'https://x.blob.core.windows.net/c?sv=2022&sig=abc' } },
      variable: {
        sb: { default: 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=b' },
      },
    });
    expect(findings.map((f) => f.where)).toEqual([
      'output.sas_token',
      'output.sas_token.value',
      'var.sb.default',
    ]);
  });

  it('does not flag Key Vault secret ids, FQDNs or principal ids', () => {
    expect(
      findSecrets({
        resource: {
          azurerm_container_app: {
            app: {
              secret: [{ key_vault_secret_id: '${azurerm_key_vault.kv.vault_uri}secrets/webhook-secret' }],
              env: [
                '${azurerm_servicebus_namespace.bus.endpoint}',
                '${azurerm_user_assigned_identity.id.principal_id}',
              ],
            },
          },
        },
      }),
    ).toEqual([]);
  });
});
