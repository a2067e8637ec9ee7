export * from './names';
export * from './options';
export * from './webhook-foundation';
export * from './webhook-platform';
