export * from './private-link';
export * from './secret-store';
export * from './image-registry';
