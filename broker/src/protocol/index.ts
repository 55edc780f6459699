export * from './codes';
export * from './close-codes';
export * from './channel-name';
export * from './limits';
export * from './frames';
export * from './rest';
