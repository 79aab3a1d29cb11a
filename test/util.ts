import { App, AppProps, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';

export const TRUSTING = '111111111111';
export const TRUSTED = '222222222222';
export const OTHER = '333333333333';
export const REGION = 'eu-west-1';

/**
 * The flag that makes aws-cdk-lib validate every template against the
 * CloudFormation schemas at synth time, where the aws-cdk-lib under test has it.
 */
const VALIDATE_FLAG: string | undefined = (cxapi as Record<string, unknown>).VALIDATE_AGAINST_DEFAULT_RULES as string | undefined;

/** A test app: template validation on where available, so that schema errors fail the tests. */
export function testApp(props: AppProps = {}): App {
  return new App({
    ...props,
    context: {
      ...(VALIDATE_FLAG ? { [VALIDATE_FLAG]: true } : {}),
      ...props.context,
    },
  });
}

/**
 * The two stacks of a cross-account test: the role's and the assumers'.
 *
 * Each stack is created when first used, so that a test using one stack does
 * not leave an empty one behind (CloudFormation refuses templates without
 * resources, and the template validation says so).
 */
export function pairedStacks(app: App = testApp()): { app: App; trusting: Stack; trusted: Stack } {
  let trusting: Stack | undefined;
  let trusted: Stack | undefined;
  return {
    app,
    get trusting() {
      return trusting ??= new Stack(app, 'Trusting', { env: { account: TRUSTING, region: REGION } });
    },
    get trusted() {
      return trusted ??= new Stack(app, 'Trusted', { env: { account: TRUSTED, region: REGION } });
    },
  };
}
