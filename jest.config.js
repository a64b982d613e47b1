// Native ESM + swc: NestJS 12 packages are ESM-only. swc does not type-check; `npm run typecheck` does.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
      target: 'es2023',
    },
    module: { type: 'es6' },
  },
];

// Every response an end-to-end or integration test receives is checked against /openapi.json.
const contractCheck = ['<rootDir>/apps/agent-service/test/support/validate-responses.setup.ts'];

const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@app/(platform|agent|operations|access)$': '<rootDir>/libs/$1/src/index.ts',
    '^@app/platform/(database|redis|telemetry)$': '<rootDir>/libs/platform/src/$1/index.ts',
    '^@app/platform/telemetry/testing$': '<rootDir>/libs/platform/src/telemetry/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
export default {
  // A global option: Jest ignores it inside projects. Process and outage suites start servers.
  testTimeout: 60_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/src/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/*/test/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: contractCheck,
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/apps/*/test/integration/**/*.int-spec.ts'],
      setupFilesAfterEnv: contractCheck,
    },
  ],
};
