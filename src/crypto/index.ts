/**
 * The shared, key-free half of the Egide protocol, imported by the server and the client
 * SDK alike. Nothing reachable from here may touch a secret key or import src/client.
 */
export * from './protocol-constants';
export * from './protocol-errors';
export * from './binary-encoding';
export * from './protocol-hash';
export * from './envelope';
export * from './associated-data';
export * from './revision-payload';
export * from './team-grant-payload';
export * from './data-key-wrap-payload';
export * from './record-action-payload';
export * from './key-bundles';
export * from './fingerprint';
export * from './blind-index-normalisation';
