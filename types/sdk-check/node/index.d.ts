// Deliberately empty. tsconfig.sdk.json's typeRoots point here, so that a library's
// `/// <reference types="node" />` (typeorm, undici-types, @types/jsonwebtoken, reached
// through the server DTOs the SDK imports as types) finds this file instead of
// @types/node: the SDK is checked with no Node types at all (docs/sdk.md).
export {};
