/**
 * Finds keys, SAS tokens and connection strings in a synthesized stack: an output, variable or
 * resource attribute that references a secret-bearing attribute (`${azurerm_x.y.primary_key}`,
 * `…connection_string`, …) or holds a literal that looks like one.
 */
import type { TfJson } from './synth';

export interface Finding {
  /** Where: `output.<name>`, `var.<name>` or `<resource address>.<attribute path>`. */
  readonly where: string;
  readonly what: string;
}

/** Attribute names whose values are credentials in the azurerm schema. */
const SECRET_ATTRIBUTE =
  /(?:^|_)(key|keys|connection_string|connection_strings|password|sas|sas_token|sas_url|secret|secret_value|private_key_pem|private_key_openssh|token)$/;
const REFERENCE = /\$\{[^}]*?\b((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_]+|\[[^\]]*\])+)/g;
const SECRET_LITERAL =
  /SharedAccessKey=|SharedAccessSignature|AccountKey=|InstrumentationKey=|[?&]sig=|Endpoint=sb:\/\/|-----BEGIN [A-Z ]*PRIVATE KEY|whsec_[A-Za-z0-9+/=]{8,}|sk_live_/;
const SECRET_NAME =
  /(?:^|_)(key|keys|connection_string|connection_strings|password|sas|sas_token|sas_url|secret|secrets|token|credential|credentials)$/i;

function scanString(value: string, where: string, findings: Finding[]): void {
  for (const match of value.matchAll(REFERENCE)) {
    const attributes = (match[2] ?? '').split(/[.[\]]/).filter((s) => s !== '' && !/^\d+$/.test(s));
    const last = attributes[attributes.length - 1] ?? '';
    if (SECRET_ATTRIBUTE.test(last))
      findings.push({ where, what: `references ${match[1]}.${attributes.join('.')}` });
  }
  if (SECRET_LITERAL.test(value)) findings.push({ where, what: 'holds a literal credential' });
}

function scan(value: unknown, where: string, findings: Finding[]): void {
  if (typeof value === 'string') scanString(value, where, findings);
  else if (Array.isArray(value)) value.forEach((item, i) => scan(item, `${where}[${i}]`, findings));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key !== '//') scan(item, `${where}.${key}`, findings);
    }
  }
}

/** Every place in `tf` that holds or exposes a key, SAS or connection string. */
export function findSecrets(tf: TfJson): Finding[] {
  const findings: Finding[] = [];
  for (const [name, output] of Object.entries(tf.output ?? {})) {
    if (SECRET_NAME.test(name))
      findings.push({ where: `output.${name}`, what: 'output named like a credential' });
    scan(output, `output.${name}`, findings);
  }
  for (const [name, variable] of Object.entries(tf.variable ?? {})) {
    if (SECRET_NAME.test(name))
      findings.push({ where: `var.${name}`, what: 'variable named like a credential' });
    scan(variable, `var.${name}`, findings);
  }
  for (const section of ['resource', 'data'] as const) {
    for (const [type, byName] of Object.entries(tf[section] ?? {})) {
      for (const [name, block] of Object.entries(byName)) {
        scan(block, `${section === 'data' ? 'data.' : ''}${type}.${name}`, findings);
      }
    }
  }
  for (const [name, value] of Object.entries(tf.locals ?? {})) scan(value, `local.${name}`, findings);
  return findings;
}
