export * from './subnet';
export * from './container-app-parts';
export * from './container-apps-environment';
export * from './webhook-runtime';
export * from './proxy-functions';
export * from './proxy-tier';
