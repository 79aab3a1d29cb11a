import { IPolicyValidationContext, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { CrossAccountTrustChecks } from '../../src';

/**
 * `CrossAccountTrustChecks` that says when its `validate()` runs, so that a
 * test can count what happens inside it (test/trust-checks-cost.test.ts).
 */
export class WatchedTrustChecks extends CrossAccountTrustChecks {
  /** True while `validate()` of any instance runs. */
  public static inValidate = false;

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    WatchedTrustChecks.inValidate = true;
    try {
      return super.validate(context);
    } finally {
      WatchedTrustChecks.inValidate = false;
    }
  }
}
