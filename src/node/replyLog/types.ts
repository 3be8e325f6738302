// Moved to the platform-neutral src/replyLog (decision 0170); kept so Node-side imports stay stable.
export * from '../../replyLog/types';
