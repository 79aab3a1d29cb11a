import { Comparison, compare, workarounds } from './helpers/differential';
import { Random, drawRequest } from './helpers/random-requests';

/**
 * The library's policy evaluator (src/private/evaluator) against the
 * simulator in devDependencies, on random configurations: role assumption
 * (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity against trust
 * policies) and resource access (S3, SQS, Secrets Manager with resource
 * policies, KMS with key policies), within an account and across accounts,
 * with identity policies, boundaries, session policies, SCPs and RCPs.
 * Every request must get the same decision from both: allowed, implicitly
 * denied or explicitly denied.
 *
 * The suite runs a fixed-seed slice. The nightly size:
 *
 *   EVALUATOR_DIFFERENTIAL_REQUESTS=20000 npx jest test/evaluator-differential.test.ts
 *
 * (`EVALUATOR_DIFFERENTIAL_SEED` draws another set.) Where the simulator is
 * wrong or limited, test/helpers/differential.ts says how, with AWS's pages,
 * and how the harness works around it.
 */

const REQUESTS = Number(process.env.EVALUATOR_DIFFERENTIAL_REQUESTS ?? 4000);
const SEED = Number(process.env.EVALUATOR_DIFFERENTIAL_SEED ?? 20260601);

/** A disagreement, in full: enough to paste into a test. */
function describeDisagreement(c: Comparison): string {
  return [
    `simulator: ${c.simulator}, evaluator: ${c.evaluator} (${c.sameAccount ? 'same account' : 'cross-account'})`,
    `request: ${c.request.principalArn} ${c.request.action} ${c.request.resourceArn}`,
    `context: ${JSON.stringify(c.context)}`,
    `policies: ${JSON.stringify({ ...c.request, context: undefined })}`,
  ].join('\n');
}

describe('the evaluator and the simulator', () => {
  const comparisons: Comparison[] = [];

  beforeAll(async () => {
    const random = new Random(SEED);
    for (let i = 0; i < REQUESTS; i++) {
      comparisons.push(await compare(drawRequest(random)));
    }
  }, 600_000);

  test(`agree on every one of ${REQUESTS} random requests (seed ${SEED})`, () => {
    // GIVEN the drawn requests, WHEN both decide each one
    const disagreements = comparisons.filter(c => c.simulator !== c.evaluator);

    // THEN they agree, and every disagreement is printed in full
    expect(disagreements.map(describeDisagreement)).toEqual([]);
    expect(comparisons).toHaveLength(REQUESTS);
  });

  test('draw every decision, within an account and across accounts, for each kind of resource-based policy', () => {
    // GIVEN the drawn requests
    const counts = new Map<string, number>();
    for (const c of comparisons) {
      const key = `${c.request.kind} ${c.sameAccount ? 'same-account' : 'cross-account'} ${c.simulator}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }

    // WHEN each kind of request is counted, THEN none of the cases is left out or rare: the agreement is not vacuous
    const cases = ['trust-policy', 'key-policy', 'resource-policy'].flatMap(kind => ['same-account', 'cross-account']
      .flatMap(where => ['allowed', 'implicit-deny', 'explicit-deny'].map(decision => `${kind} ${where} ${decision}`)));
    const rare = cases.filter(c => (counts.get(c) ?? 0) < Math.max(3, REQUESTS / 1000));
    expect(rare).toEqual([]);
  });

  test('work around the simulator\'s limits only as documented, and each one does come up', () => {
    // GIVEN / WHEN the comparisons above, THEN each workaround of test/helpers/differential.ts was needed, and so is tested
    expect(workarounds.epochDates).toBeGreaterThan(0);
    expect(workarounds.singleAddresses).toBeGreaterThan(0);
    expect(workarounds.sessionGrants).toBeGreaterThan(0);
    expect(workarounds.literalVariables).toBeGreaterThan(0);
    expect(workarounds.templatedKeys).toBeGreaterThan(0);
  });
});
