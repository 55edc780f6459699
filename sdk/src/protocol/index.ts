export * from './codes.js';
export * from './close-codes.js';
export * from './channel-name.js';
export * from './limits.js';
export * from './frames.js';
export * from './rest.js';
export * from './token.js';
export * from './sse.js';
