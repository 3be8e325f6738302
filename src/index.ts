export * from './errors';
export * from './sources';
export * from './operators';
export * from './history';
export * from './concurrency';
export * from './adapters';
