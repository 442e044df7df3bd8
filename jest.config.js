// Jest 30 cannot require() the ESM-only NestJS 12 packages on Node 20, so @swc/jest
// compiles them too (they are kept out of transformIgnorePatterns). libsodium must never
// be transformed: its WASM loader breaks.
const esmPackages = [
  '@nestjs',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  '@borewit',
  'load-esm',
  '@standard-schema',
  // @fastify/static (the OpenAPI UI on Fastify) pulls these ESM-only packages in.
  'content-disposition',
];

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

module.exports = {
  // Embedded PostgreSQL starts (initdb) and Argon2id derivations take seconds, not ms.
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      // Every response a test sees is checked against the OpenAPI document (docs/api.md).
      setupFilesAfterEnv: ['<rootDir>/test/setup/response-schema.setup.ts'],
    },
  ],
};
