// Mutation testing of libs/ with StrykerJS and its Jest runner. The unit project of jest.config.js
// is reused as is; Jest needs --experimental-vm-modules for native ESM, so the runner's Node
// processes get it too. Run with `npm run test:mutation` (report: reports/mutation/).
import jestConfig from './jest.config.js';

const unit = jestConfig.projects.find((project) => project.displayName === 'unit');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    projectType: 'custom',
    // Stryker merges `config` over the Jest config file it reads. Left to find jest.config.js, it
    // keeps that file's three projects: the e2e and integration suites (with their setup) run for
    // every mutant and its own test environment (perTest coverage) is bypassed. package.json has
    // no Jest settings, so reading it adds nothing.
    configFile: 'package.json',
    config: { ...unit, displayName: undefined, testTimeout: 60_000 },
    enableFindRelatedTests: true,
  },
  coverageAnalysis: 'perTest',
  mutate: [
    'libs/{agent,operations,platform}/src/**/*.ts',
    '!**/*.spec.ts',
    '!**/index.ts',
    '!**/migrations/**',
    // Generates the inputs of tokenizer specs and benchmarks: any text it made would do as well.
    '!libs/agent/src/tokens/adversarial-texts.ts',
  ],
  ignorePatterns: ['dist', 'coverage', 'reports', 'bench', 'docker', 'deploy', 'test/container'],
  concurrency: 2,
  timeoutMS: 10_000,
  // The initial run executes every related spec with coverage; on two busy cores that passes 5 minutes.
  dryRunTimeoutMinutes: 20,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
