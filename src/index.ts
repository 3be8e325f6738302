export * from './errors';
export * from './sources';
export * from './operators';
