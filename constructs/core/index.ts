export * from './types';
export * from './validation';
export * from './naming';
export * from './regions';
export * from './diagnostics';
export * from './role-assignment';
export * from './identity';
