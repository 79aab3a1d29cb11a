import { awscdk, javascript } from 'projen';
import { JobPermission } from 'projen/lib/github/workflows-model';
import { UpdateSnapshot } from 'projen/lib/javascript';

/**
 * The lowest aws-cdk-lib this library supports. Tests run against exactly this
 * version (projen pins the devDependency to it), so the peer range is proven,
 * not hoped for. 2.262.0 is the first release with the graduated policy
 * validation API (`Validations`, `IPolicyValidationPlugin`, acknowledgements),
 * which cdk-nag v3 and our trust checks plug into, and with the
 * `@aws-cdk/core:validateAgainstDefaultRules` flag that the tests turn on so
 * that CloudFormation schema errors fail them.
 */
const MIN_CDK_VERSION = '2.262.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-cross-account-roles',
  description:
    'AWS CDK constructs for cross-account IAM roles: paired trusting/trusted stacks, external ID, MFA and organisation conditions, validated at synth time.',
  author: 'cdk-cross-account-roles developers',
  authorAddress: 'dev@cdk-cross-account-roles.invalid',
  repositoryUrl: 'https://github.com/cdk-cross-account-roles/cdk-cross-account-roles.git',
  license: 'Apache-2.0',
  keywords: ['aws', 'cdk', 'awscdk', 'iam', 'cross-account', 'sts', 'assume-role', 'external-id', 'security'],
  stability: 'experimental',

  cdkVersion: MIN_CDK_VERSION,
  constructsVersion: '10.5.1',
  defaultReleaseBranch: 'main',
  jsiiVersion: '~6.0.0',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // The development tsconfig (tests, examples, .projenrc.ts) at the top level, where users expect it.
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    compilerOptions: {},
    include: ['.projenrc.ts', 'examples/**/*.ts', 'benchmarks/**/*.ts', 'build-tools/**/*.ts'],
  },

  // tsconfig.dev.json includes src, test, examples and the benchmarks, so eslint types all of them.
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'benchmarks', 'build-tools', 'projenrc'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },

  // Runtime dependencies of a jsii library are bundled. The CLI reads YAML templates (CloudFormation's
  // short tags included) with `yaml`, well kept and dependency-free; its options are parsed by node's util.parseArgs.
  deps: [],
  bundledDeps: ['yaml@^2.9.1'],
  // `npx cdk-cross-account-roles audit cdk.out`: the CLI is npm's (jsii languages get the plugin).
  bin: { 'cdk-cross-account-roles': 'lib/cli/main.js' },
  devDeps: [
    // AGPL-3.0: test-only, never a runtime or bundled dependency.
    '@cloud-copilot/iam-simulate@^0.1.173',
    // The real CDK CLI, used by the README's first command and by CI to synthesize the example app.
    'aws-cdk@^2.1100.0',
    // cdk-nag v3 (a validation plugin) proves the example app clean under AwsSolutions.
    'cdk-nag@^3.0.2',
    // Held at the version aws-cdk-lib MIN_CDK_VERSION declares (its ^54.11.0 would otherwise take the
    // newest 54.x). jsii-pacmak writes the installed version into the Go module's go.mod, and the Go
    // module proxy serves 54.11.0 (the version aws-cdk-go's awscdk v2.262.0 itself requires) but not
    // every later 54.x, so package:go could not resolve its module graph. It shapes manifest.json only.
    '@aws-cdk/cloud-assembly-schema@54.11.0',
    // The Control Tower proactive controls (cfn-guard rules, run by the cfn-guard binary the package ships) prove the example app deployable where they are on.
    '@cdklabs/cdk-validator-cfnguard@^0.0.62',
    // The CLI's SARIF is validated against the SARIF 2.1.0 JSON schema (draft-04) in the tests.
    'ajv@^8.17.1',
    'ajv-draft-04@^1.0.0',
    // Integration tests in the CDK convention (test/integ.*.ts): IntegTest apps with AwsApiCall assertions. 2.245.0-alpha.0
    // is the newest integ-tests-alpha; its peer range (aws-cdk-lib ^2.245.0) covers MIN_CDK_VERSION. (Not integ-runner: its
    // newest release, 2.197.10, reads cloud assembly schema 53 at most, and aws-cdk-lib 2.262.0 writes 54; see
    // test/helpers/integ-snapshot.ts.)
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
  ],

  publishToPypi: {
    distName: 'cdk-cross-account-roles',
    module: 'cdk_cross_account_roles',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdk_cross_account_roles',
    mavenGroupId: 'io.github.cdk-cross-account-roles',
    mavenArtifactId: 'cdk-cross-account-roles',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkCrossAccountRoles',
    packageId: 'CdkCrossAccountRoles',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-cross-account-roles/cdk-cross-account-roles-go',
    packageName: 'cdkcrossaccountroles',
  },

  jestOptions: {
    // Snapshots guard logical IDs (a changed one replaces a production role): CI never rewrites them.
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testPathIgnorePatterns: ['/node_modules/', '/cdk.out/'],
    },
  },

  gitignore: [
    'cdk.out/', '*.d.ts.map', 'test-reports/', '.jest-results.json',
    // What the Python, Java and Go example apps build (test/languages.test.ts).
    '/examples/python/.venv/', '__pycache__/', '/examples/java/target/',
    // jsii-rosetta's translations of the README's examples (npx projen rosetta:extract).
    '.jsii.tabl.json',
  ],
});

for (const pattern of ['/examples/', '/cdk.json', '/cdk.out/', '/.ci/', '/benchmarks/', '/build-tools/', '/tsconfig.dev.json']) {
  project.addPackageIgnore(pattern);
}

// unrs-resolver (under eslint-import-resolver-typescript) 1.13.0 lists platform bindings
// that the registry does not serve for every platform, which leaves them out of the lock
// file and makes `npm ci` refuse it; 1.12.2 is complete.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// Benchmarks are scripts that print ratios measured in one run, not timed tests.
project.addTask('bench', {
  description: 'Synthesize the fan-out at several sizes next to hand-written aws-cdk-lib code and print the ratios',
  exec: 'ts-node -P tsconfig.dev.json benchmarks/fanout.ts',
  receiveArgs: true,
});

// The integration tests (test/integ.*.ts): their snapshots are checked offline by the test suite
// (test/integ-snapshots.test.ts); these write them anew, and prove them on real AWS (build-tools/integ.ts says how).
project.addTask('integ:update', {
  description: 'Write the integration tests\' snapshots (test/integ.*.ts.snapshot) anew; review and commit the diff',
  exec: 'ts-node -P tsconfig.dev.json build-tools/integ.ts update',
  receiveArgs: true,
});
project.addTask('integ:deploy', {
  description: 'Deploy each integration test to the account and region of your credentials, check its assertions, destroy it',
  exec: 'ts-node -P tsconfig.dev.json build-tools/integ.ts deploy',
  receiveArgs: true,
});

project.addTask('bench:trust-checks', {
  description: 'Synthesize 50, 200 and 500 roles with no plugin, a no-op plugin and CrossAccountTrustChecks, and time the CLI on 1,000 templates',
  exec: 'ts-node -P tsconfig.dev.json benchmarks/trust-checks.ts',
  receiveArgs: true,
});

// jsii-rosetta translates every TypeScript example (the README's blocks and the API docs') into Python,
// Java, Go and C#, in strict mode: an example that stops compiling fails the task, and CI with it.
// The translations go to .jsii.tabl.json, which jsii-pacmak reads when package:python|java|go build
// the packages' READMEs and docs. The examples compile in node_modules/.cache/rosetta, where the
// library resolves by its own name and the README's other imports (cdk-nag) resolve from node_modules.
project.addTask('rosetta:extract', {
  description: 'Translate the README\'s and the API docs\' TypeScript examples into every jsii language; fail on any that does not compile',
  steps: [
    { exec: 'mkdir -p node_modules/.cache/rosetta/node_modules && ln -sfn ../../../.. node_modules/.cache/rosetta/node_modules/cdk-cross-account-roles' },
    { exec: 'jsii-rosetta extract --strict --directory node_modules/.cache/rosetta' },
  ],
});

// The evaluator's differential test at its nightly size: 20,000 random requests against the simulator
// (every pull request's build runs the suite's 4,000 fixed-seed ones). A new seed each night, printed by the
// test, so that a disagreement can be replayed with EVALUATOR_DIFFERENTIAL_SEED.
const nightly = project.github?.addWorkflow('evaluator-nightly');
nightly?.on({ schedule: [{ cron: '17 3 * * *' }], workflowDispatch: {} });
nightly?.addJobs({
  differential: {
    name: 'Evaluator against the simulator, 20,000 requests',
    runsOn: ['ubuntu-latest'],
    permissions: { contents: JobPermission.READ },
    steps: [
      { uses: 'actions/checkout@v5' },
      { uses: 'actions/setup-node@v5', with: { 'node-version': 'lts/*' } },
      { run: 'npm ci' },
      {
        run: 'npx jest test/evaluator-differential.test.ts --coverage=false',
        env: { EVALUATOR_DIFFERENTIAL_REQUESTS: '20000', EVALUATOR_DIFFERENTIAL_SEED: '${{ github.run_id }}' },
      },
    ],
  },
});

// jsii must compile with zero warnings: fail the build on any, rather than silencing a class of them.
project.compileTask.reset('jsii --fail-on-warnings');

project.synth();
