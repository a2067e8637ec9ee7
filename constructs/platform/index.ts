export * from './names';
export * from './options';
export * from './webhook-platform';
