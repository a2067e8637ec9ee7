export * from './cidr';
export * from './address-plan';
export * from './webhook-network';
