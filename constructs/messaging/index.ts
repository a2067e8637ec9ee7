export * from './message-bus-base';
export * from './options';
export * from './message-bus';
