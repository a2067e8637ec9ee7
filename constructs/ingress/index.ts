export * from './environment-private-dns';
export * from './waf-policy';
export * from './gateway-blocks';
export * from './webhook-ingress';
