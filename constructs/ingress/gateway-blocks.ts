/**
 * The Application Gateway's nested blocks for one HTTPS site: frontend, listeners, the HTTP→HTTPS
 * redirect, backend pool/settings/probe and the two routing rules. Kept apart from the construct
 * so the wiring (which name refers to which block) reads in one place.
 */
import type { ApplicationGatewayConfig } from '@cdktf/provider-azurerm/lib/application-gateway';

/** Names of the blocks (they are how the blocks refer to each other). */
export const GATEWAY_BLOCK_NAMES = {
  gatewayIp: 'gateway-ip',
  frontendIp: 'public-frontend',
  httpPort: 'port-80',
  httpsPort: 'port-443',
  certificate: 'webhook-tls',
  httpsListener: 'https-listener',
  httpListener: 'http-listener',
  redirect: 'http-to-https',
  backendPool: 'proxy-tier',
  backendSettings: 'proxy-tier-https',
  probe: 'proxy-healthz',
  routeHttps: 'route-https-to-proxy',
  routeHttp: 'route-http-redirect',
} as const;

/** Rule priorities: required by the v2 API although optional in the schema (1–20000, unique). */
export const GATEWAY_RULE_PRIORITIES = { https: 100, httpRedirect: 200 } as const;

export interface GatewayBlockOptions {
  readonly subnetId: string;
  readonly publicIpId: string;
  readonly backendFqdn: string;
  /** Versionless Key Vault secret id of the PFX certificate. */
  readonly certificateSecretId: string;
  readonly hostName?: string;
  readonly requestTimeoutSeconds: number;
}

type Blocks = Pick<
  ApplicationGatewayConfig,
  | 'gatewayIpConfiguration'
  | 'frontendIpConfiguration'
  | 'frontendPort'
  | 'sslCertificate'
  | 'httpListener'
  | 'redirectConfiguration'
  | 'backendAddressPool'
  | 'backendHttpSettings'
  | 'probe'
  | 'requestRoutingRule'
>;

export function gatewayBlocks(o: GatewayBlockOptions): Blocks {
  const n = GATEWAY_BLOCK_NAMES;
  return {
    gatewayIpConfiguration: [{ name: n.gatewayIp, subnetId: o.subnetId }],
    frontendIpConfiguration: [{ name: n.frontendIp, publicIpAddressId: o.publicIpId }],
    frontendPort: [
      { name: n.httpPort, port: 80 },
      { name: n.httpsPort, port: 443 },
    ],
    sslCertificate: [{ name: n.certificate, keyVaultSecretId: o.certificateSecretId }],
    httpListener: [
      {
        name: n.httpsListener,
        frontendIpConfigurationName: n.frontendIp,
        frontendPortName: n.httpsPort,
        protocol: 'Https',
        sslCertificateName: n.certificate,
        hostName: o.hostName,
        requireSni: o.hostName !== undefined,
      },
      {
        name: n.httpListener,
        frontendIpConfigurationName: n.frontendIp,
        frontendPortName: n.httpPort,
        protocol: 'Http',
        hostName: o.hostName,
      },
    ],
    redirectConfiguration: [
      {
        name: n.redirect,
        redirectType: 'Permanent',
        targetListenerName: n.httpsListener,
        includePath: true,
        includeQueryString: true,
      },
    ],
    backendAddressPool: [{ name: n.backendPool, fqdns: [o.backendFqdn] }],
    backendHttpSettings: [
      {
        name: n.backendSettings,
        protocol: 'Https',
        port: 443,
        cookieBasedAffinity: 'Disabled',
        pickHostNameFromBackendAddress: true,
        requestTimeout: o.requestTimeoutSeconds,
        probeName: n.probe,
      },
    ],
    probe: [
      {
        name: n.probe,
        protocol: 'Https',
        path: '/healthz',
        pickHostNameFromBackendHttpSettings: true,
        interval: 15,
        timeout: 5,
        unhealthyThreshold: 3,
        match: { statusCode: ['200-399'] },
      },
    ],
    requestRoutingRule: [
      {
        name: n.routeHttps,
        ruleType: 'Basic',
        priority: GATEWAY_RULE_PRIORITIES.https,
        httpListenerName: n.httpsListener,
        backendAddressPoolName: n.backendPool,
        backendHttpSettingsName: n.backendSettings,
      },
      {
        name: n.routeHttp,
        ruleType: 'Basic',
        priority: GATEWAY_RULE_PRIORITIES.httpRedirect,
        httpListenerName: n.httpListener,
        redirectConfigurationName: n.redirect,
      },
    ],
  };
}
