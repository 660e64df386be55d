'use strict';
const { swcOptions } = require('./scripts/build.js');

const { jsc, module: mod } = swcOptions(undefined);
// Tests run from source: @hearth/<lib> resolves to libs/<lib>/src through moduleNameMapper, not swc.
delete jsc.baseUrl;
delete jsc.paths;

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  transform: { '^.+\\.(ts|js)$': ['@swc/jest', { jsc, module: mod, sourceMaps: 'inline' }] },
  // These ship only ES modules; Node loads them with require(esm), jest needs them compiled. A path
  // is left alone only when its innermost node_modules folder holds none of them.
  transformIgnorePatterns: [
    '/node_modules/(?!(jose|@nestjs|path-to-regexp|htmlparser2|domhandler|domutils|domelementtype|entities|dom-serializer)/)(?!.*/node_modules/)',
  ],
  moduleNameMapper: {
    '^@hearth/testing$': '<rootDir>/test/support/index.ts',
    '^@hearth/migrations$': '<rootDir>/migrations/index.ts',
    '^@hearth/homeserver$': '<rootDir>/apps/homeserver/src/index.ts',
    '^@hearth/([a-z0-9-]+)$': '<rootDir>/libs/$1/src/index.ts',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 30000,
  // Most test time is spent waiting on servers, PostgreSQL and Redis, not computing: two files at
  // a time (jest's default on 2 cores is one) keep the whole run well inside CI's 20 minutes.
  // Each file has its own database, ports and server names, so files do not see each other.
  maxWorkers: 2,
  // A worker that has run many files held ~3 GB (homeservers, embedded databases, module
  // registries) with no handle open but its pipes, and jest then reported "A worker process has
  // failed to exit gracefully" at the end of every full run; a worker past this after a file is
  // replaced by a fresh one, and the warning is gone (the run got faster too: 7 min against 10).
  workerIdleMemoryLimit: '1GB',
};
