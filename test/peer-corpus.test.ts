import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { auditPaths } from '../src/cli/audit-command';
import { ReportedFinding } from '../src/cli/report';

/**
 * The peer linters' own trust-policy fixtures (KICS, checkov, cfn_nag,
 * cfripper), each role reviewed: `../shared/peer-trust-corpus`, beside the
 * repository. A fresh clone made elsewhere (CI clones into a temporary
 * folder) finds it beside the checkout it was cloned from (`origin`);
 * `PEER_TRUST_CORPUS` names it explicitly.
 */
function corpusCandidates(): string[] {
  const beside = (checkout: string) => path.resolve(checkout, '..', 'shared', 'peer-trust-corpus');
  const candidates = [process.env.PEER_TRUST_CORPUS, beside(path.join(__dirname, '..'))];
  const origin = spawnSync('git', ['config', '--get', 'remote.origin.url'], { cwd: __dirname, encoding: 'utf-8' }).stdout?.trim();
  if (origin && path.isAbsolute(origin)) { candidates.push(beside(origin)); }
  return candidates.filter((c): c is string => c !== undefined && c !== '');
}
const CORPUS = corpusCandidates().find(c => fs.existsSync(path.join(c, 'index.json'))) ?? corpusCandidates()[0];
const PRESENT = fs.existsSync(path.join(CORPUS, 'index.json'));

interface CorpusEntry {
  readonly tool: string;
  readonly ruleId: string;
  readonly file: string;
  readonly resources: string[];
  readonly ourView: 'dangerous' | 'sound' | 'disputed';
  readonly why: string;
}

const entries: CorpusEntry[] = PRESENT ? JSON.parse(fs.readFileSync(path.join(CORPUS, 'index.json'), 'utf-8')) : [];

/** The findings of each role of a corpus file, audited once. */
const findingsOf = (() => {
  const cache = new Map<string, ReportedFinding[]>();
  return (file: string, logicalId: string) => {
    if (!cache.has(file)) { cache.set(file, auditPaths([path.join(CORPUS, file)]).findings); }
    return cache.get(file)!.filter(f => f.logicalId === logicalId);
  };
})();

const rows = (view: string) => entries.filter(e => e.ourView === view)
  .flatMap(e => e.resources.map(r => [`${e.file} ${r} (${e.tool} ${e.ruleId})`, e.file, r] as const));

if (!PRESENT && process.env.CI === 'true') {
  test('the peer corpus is present in CI', () => {
    throw new Error(`the peer trust corpus is missing at ${CORPUS}: CI must have ../shared/peer-trust-corpus beside the repository`);
  });
} else if (!PRESENT) {
  test.skip(`peer corpus parity: skipped, no corpus at ${CORPUS} (CI fails without it)`, () => undefined);
}

(PRESENT ? describe : describe.skip)('parity with the peer linters on their own fixtures', () => {
  test('the corpus has the roles its README counts', () => {
    expect(entries).toHaveLength(52);
    expect(rows('dangerous')).toHaveLength(5);
    expect(rows('sound').length).toBeGreaterThanOrEqual(30);
  });

  test.each(rows('dangerous'))('flags the dangerous role %s with an error', (_, file, logicalId) => {
    expect(findingsOf(file, logicalId).filter(f => f.severity === 'error').map(f => f.ruleId)).not.toEqual([]);
  });

  test.each(rows('sound'))('raises no error on the sound role %s', (_, file, logicalId) => {
    expect(findingsOf(file, logicalId).filter(f => f.severity === 'error')).toEqual([]);
  });

  test.each([
    ['kics/f80e3aa7-7b34-4185-954e-440a6894dde6/positive1.yaml', 'RootRole', ['MalformedPrincipal']],
    ['kics/85138beb-ce7c-4ca3-a09f-e8fbcc57ddd7/positive3.yaml', 'RootRole', ['UnconditionedCrossAccountTrust']],
    ['checkov/CKV_AWS_61/example_IAMRoleAllowAssumeFromAccount-FAILED.yml', 'ExecutionRole', ['UnconditionedCrossAccountTrust']],
    ['cfripper/CrossAccountTrustRule/cross_account_role_no_name.json', 'RootRole', ['MalformedPrincipal']],
    ['checkov/CKV2_AWS_68/template.yaml', 'aws_iam_role3', ['ServiceWithoutSourceCondition', 'WildcardStsAction']],
    ['cfn_nag/W14/iam_role_not_action_on_trust.json', 'NotActionTrustRole', ['WildcardStsAction']],
  ])('does with the disputed %s (%s) what the trust checks guide says', (file, logicalId, rules) => {
    expect(findingsOf(file, logicalId).map(f => f.ruleId).sort()).toEqual(rules);
  });

  test('the trust checks guide says what the library does with every disputed role, and why', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'docs', 'trust-checks.md'), 'utf-8');
    const disputed = Array.from(new Set(entries.filter(e => e.ourView === 'disputed').map(e => e.file)));
    expect(disputed.length).toBeGreaterThan(10);
    expect(disputed.filter(file => !readme.includes(`\`${file}\``))).toEqual([]);
  });
});
