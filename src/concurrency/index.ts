export * from './mergeStreams';
export * from './collectResults';
