import { auditContext } from '../src/private/audit/engine';
import { resolveForAudit } from '../src/private/audit/resolve';
import { deployTimeAccountOrigin, deployTimeValue, isDeployTime, UNRESOLVED } from '../src/private/audit/rules';
import { IntrinsicContext, resolveIntrinsics } from '../src/private/policy/intrinsics';
import { QUOTA_CONTEXT, resolvedPolicyLength } from '../src/private/policy/policy-size';

/** What the trust checks know of a template in account 111111111111 with a role `Reader` and a condition `Prod`. */
const AUDIT: IntrinsicContext = {
  ref: name => ({ 'AWS::Partition': 'aws', 'AWS::AccountId': '111111111111', 'AWS::URLSuffix': 'amazonaws.com' } as Record<string, string>)[name],
  getAtt: (logicalId, attribute) => logicalId === 'Reader' && attribute === 'Arn' ? 'arn:aws:iam::111111111111:role/reader' : undefined,
  conditions: { Prod: true, Dev: false },
  unknown: UNRESOLVED,
};
const NOTHING_KNOWN: IntrinsicContext = { unknown: UNRESOLVED };
const ESTIMATE = QUOTA_CONTEXT.unknown;
const partitionArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] };

describe('the intrinsic resolver', () => {
  test('copies values that are not intrinsics', () => {
    // GIVEN
    const value = { Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole'], Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }], n: 3 };

    // WHEN
    const resolved = resolveIntrinsics(value, AUDIT);

    // THEN
    expect(resolved).toEqual(value);
  });

  describe('Ref and pseudo parameters', () => {
    test('resolves a pseudo parameter the context knows and leaves the others unknown', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics({ Ref: 'AWS::Partition' }, AUDIT)).toBe('aws');
      expect(resolveIntrinsics({ Ref: 'AWS::AccountId' }, AUDIT)).toBe('111111111111');
      expect(resolveIntrinsics({ Ref: 'AWS::Region' }, AUDIT)).toBe(UNRESOLVED);
      expect(resolveIntrinsics({ Ref: 'AWS::Partition' }, NOTHING_KNOWN)).toBe(UNRESOLVED);
    });

    test('counts a pseudo parameter as its longest value for the quotas, a parameter by the estimate', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics({ Ref: 'AWS::Partition' }, QUOTA_CONTEXT)).toBe('aws-us-gov');
      expect(resolveIntrinsics({ Ref: 'AWS::URLSuffix' }, QUOTA_CONTEXT)).toBe('amazonaws.com.cn');
      expect(resolveIntrinsics({ Ref: 'AWS::AccountId' }, QUOTA_CONTEXT)).toHaveLength(12);
      expect(resolveIntrinsics({ Ref: 'ExternalIdParameter' }, QUOTA_CONTEXT)).toBe(ESTIMATE);
      expect(resolveIntrinsics({ Ref: 'constructor' }, QUOTA_CONTEXT)).toBe(ESTIMATE);
      expect(ESTIMATE).toHaveLength(64);
    });

    test('leaves AWS::NoValue out of objects and lists', () => {
      // GIVEN
      const value = { Keep: 'a', Drop: { Ref: 'AWS::NoValue' }, List: ['a', { Ref: 'AWS::NoValue' }, 'b'] };

      // WHEN / THEN
      expect(resolveIntrinsics(value, AUDIT)).toEqual({ Keep: 'a', List: ['a', 'b'] });
      expect(resolveIntrinsics(value, QUOTA_CONTEXT)).toEqual({ Keep: 'a', List: ['a', 'b'] });
      expect(resolveIntrinsics({ Ref: 'AWS::NoValue' }, AUDIT)).toBeUndefined();
    });
  });

  describe('Fn::GetAtt', () => {
    test('resolves an attribute the context knows, in the list and the dotted form', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics({ 'Fn::GetAtt': ['Reader', 'Arn'] }, AUDIT)).toBe('arn:aws:iam::111111111111:role/reader');
      expect(resolveIntrinsics({ 'Fn::GetAtt': 'Reader.Arn' }, AUDIT)).toBe('arn:aws:iam::111111111111:role/reader');
    });

    test('leaves an attribute the context does not know unknown', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics({ 'Fn::GetAtt': ['Reader', 'RoleId'] }, AUDIT)).toBe(UNRESOLVED);
      expect(resolveIntrinsics({ 'Fn::GetAtt': ['Bucket', 'DomainName'] }, QUOTA_CONTEXT)).toBe(ESTIMATE);
      expect(resolveIntrinsics({ 'Fn::GetAtt': 42 }, AUDIT)).toBe(UNRESOLVED);
    });

    test('for the quotas, counts an ARN attribute as long as a long real ARN, not by the shorter estimate', () => {
      // GIVEN the longest role ARN CloudFormation can name: a 64-character generated name in the longest partition
      const longestGeneratedRoleArn = `arn:aws-us-gov:iam::111111111111:role/${'n'.repeat(64)}`;

      // WHEN
      const arns = [
        resolveIntrinsics({ 'Fn::GetAtt': ['Role', 'Arn'] }, QUOTA_CONTEXT),
        resolveIntrinsics({ 'Fn::GetAtt': 'Topic.TopicArn' }, QUOTA_CONTEXT),
        resolveIntrinsics({ 'Fn::Sub': '${Role.Arn}' }, QUOTA_CONTEXT),
      ];

      // THEN every form counts 128 characters, more than that ARN (102) and than the estimate of other values (64)
      expect(longestGeneratedRoleArn).toHaveLength(102);
      for (const arn of arns) {
        expect(arn).toHaveLength(128);
        expect((arn as string).length).toBeGreaterThan(longestGeneratedRoleArn.length);
      }
      expect(ESTIMATE).toHaveLength(64);
    });
  });

  describe('Fn::Join', () => {
    test('joins the resolved parts', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics(partitionArn, AUDIT)).toBe('arn:aws:iam::222222222222:root');
      expect(resolveIntrinsics(partitionArn, QUOTA_CONTEXT)).toBe('arn:aws-us-gov:iam::222222222222:root');
      expect(resolveIntrinsics({ 'Fn::Join': [',', ['a', 1, true]] }, AUDIT)).toBe('a,1,true');
    });

    test('keeps an unknown part in the string as the unknown value', () => {
      // GIVEN
      const join = { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'Account' }, ':root']] };

      // WHEN / THEN
      expect(resolveIntrinsics(join, AUDIT)).toBe(`arn:aws:iam::${UNRESOLVED}:root`);
      expect(resolveIntrinsics(join, QUOTA_CONTEXT)).toBe(`arn:aws:iam::${ESTIMATE}:root`);
    });

    test('joins a list an intrinsic resolves to, and is unknown when the list is unknown or a part is not a string', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics({ 'Fn::Join': ['', { 'Fn::Split': [',', 'a,b'] }] }, AUDIT)).toBe('ab');
      expect(resolveIntrinsics({ 'Fn::Join': ['', { 'Fn::GetAZs': '' }] }, AUDIT)).toBe(UNRESOLVED);
      expect(resolveIntrinsics({ 'Fn::Join': ['', ['a', { b: 'c', d: 'e' }]] }, AUDIT)).toBe(UNRESOLVED);
    });
  });

  describe('Fn::Sub', () => {
    test('resolves pseudo parameters, ${LogicalId.Attribute}, the variable map and ${!Literal}', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' }, AUDIT)).toBe('arn:aws:iam::111111111111:root');
      expect(resolveIntrinsics({ 'Fn::Sub': '${Reader.Arn}' }, AUDIT)).toBe('arn:aws:iam::111111111111:role/reader');
      expect(resolveIntrinsics({ 'Fn::Sub': ['arn:aws:iam::${Account}:root', { Account: { 'Fn::Join': ['', ['2222', '22222222']] } }] }, AUDIT))
        .toBe('arn:aws:iam::222222222222:root');
      expect(resolveIntrinsics({ 'Fn::Sub': '${!Literal}-${AWS::Partition}' }, AUDIT)).toBe('${Literal}-aws');
    });

    test('keeps every unknown variable in its place, as Fn::Join keeps an unknown part', () => {
      // GIVEN
      const noAccount: IntrinsicContext = { ...AUDIT, ref: name => name === 'AWS::Partition' ? 'aws' : undefined };
      const anyKey = { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*' };
      const anyKeyJoined = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':key/*']] };

      // WHEN / THEN
      expect(resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' }, noAccount)).toBe(`arn:aws:iam::${UNRESOLVED}:root`);
      expect(resolveIntrinsics(anyKey, noAccount)).toBe(`arn:aws:kms:${UNRESOLVED}:${UNRESOLVED}:key/*`);
      expect(resolveIntrinsics(anyKey, noAccount)).toBe(resolveIntrinsics(anyKeyJoined, noAccount));
      const nothingKnown = auditContext(undefined, undefined, {});
      expect(resolveForAudit(anyKey, nothingKnown)).toBe(resolveForAudit(anyKeyJoined, nothingKnown));
      expect(resolveIntrinsics({ 'Fn::Sub': ['arn:aws:iam::${Account}:root', { Account: { Ref: 'Unknown' } }] }, AUDIT)).toBe(`arn:aws:iam::${UNRESOLVED}:root`);
      expect(resolveIntrinsics({ 'Fn::Sub': '${Bucket.Arn}/*' }, AUDIT)).toBe(`${UNRESOLVED}/*`);
    });

    test('for the quotas, counts every unknown variable by the estimate inside the string', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/*' }, QUOTA_CONTEXT)).toBe(`arn:aws-us-gov:s3:::${ESTIMATE}/*`);
    });
  });

  describe('Fn::If', () => {
    test('takes the branch of a known condition, and leaves AWS::NoValue out', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics({ 'Fn::If': ['Prod', 'a', 'b'] }, AUDIT)).toBe('a');
      expect(resolveIntrinsics({ 'Fn::If': ['Dev', 'a', 'b'] }, AUDIT)).toBe('b');
      expect(resolveIntrinsics({ A: { 'Fn::If': ['Dev', 'a', { Ref: 'AWS::NoValue' }] } }, AUDIT)).toEqual({});
    });

    test('is unknown when the condition is', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics({ 'Fn::If': ['Other', 'a', 'b'] }, AUDIT)).toBe(UNRESOLVED);
      expect(resolveIntrinsics({ 'Fn::If': ['Prod', 'a', 'b'] }, QUOTA_CONTEXT)).toBe(ESTIMATE);
    });
  });

  describe('Fn::Select', () => {
    test('selects from a literal or resolved list by a number or a digit string', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics({ 'Fn::Select': [1, ['a', 'b']] }, AUDIT)).toBe('b');
      expect(resolveIntrinsics({ 'Fn::Select': ['0', [{ Ref: 'AWS::Partition' }, 'b']] }, AUDIT)).toBe('aws');
    });

    test('is unknown out of range, with an unknown list or an unknown index', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics({ 'Fn::Select': [2, ['a', 'b']] }, AUDIT)).toBe(UNRESOLVED);
      expect(resolveIntrinsics({ 'Fn::Select': [-1, ['a', 'b']] }, AUDIT)).toBe(UNRESOLVED);
      expect(resolveIntrinsics({ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }, AUDIT)).toBe(UNRESOLVED);
      expect(resolveIntrinsics({ 'Fn::Select': [{ Ref: 'Index' }, ['a']] }, QUOTA_CONTEXT)).toBe(ESTIMATE);
    });
  });

  describe('Fn::Split', () => {
    test('splits a known string, and leaves an unknown one unknown', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics({ 'Fn::Split': [',', 'a,b'] }, AUDIT)).toEqual(['a', 'b']);
      expect(resolveIntrinsics({ 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam']] }] }] }, AUDIT)).toBe('aws');
      expect(resolveIntrinsics({ 'Fn::Split': [',', { Ref: 'Accounts' }] }, AUDIT)).toBe(UNRESOLVED);
      expect(resolveIntrinsics({ 'Fn::Split': ['', 'ab'] }, AUDIT)).toBe(UNRESOLVED);
    });
  });

  describe('values only known at deploy time that name their origin', () => {
    /** The audit's context, with parameters that name themselves and an import that names its export. */
    const NAMED: IntrinsicContext = {
      ...AUDIT,
      ref: name => AUDIT.ref!(name) ?? (name.startsWith('P') ? deployTimeValue(`parameter ${name}`) : undefined),
      importValue: name => deployTimeValue(`import ${String(name)}`),
      findInMap: (map, top, second) => map === 'Accounts' && top === 'dev' && second === 'Id' ? '333333333333' : undefined,
      isUnknown: isDeployTime,
    };

    test('Fn::Split, Fn::Join and Fn::Select pass a deploy-time list through, so that it still names its parameter', () => {
      // GIVEN / WHEN / THEN
      expect(resolveIntrinsics({ 'Fn::Split': [',', { Ref: 'PAccounts' }] }, NAMED)).toBe(deployTimeValue('parameter PAccounts'));
      expect(resolveIntrinsics({ 'Fn::Select': [0, { 'Fn::Split': [',', { Ref: 'PAccounts' }] }] }, NAMED)).toBe(deployTimeValue('parameter PAccounts'));
      expect(resolveIntrinsics({ 'Fn::Join': [',', { Ref: 'PAccounts' }] }, NAMED)).toBe(deployTimeValue('parameter PAccounts'));
      // a plain unknown stays plain: it names nothing
      expect(resolveIntrinsics({ 'Fn::Select': [0, { 'Fn::Split': [',', { Ref: 'Other' }] }] }, NAMED)).toBe(UNRESOLVED);
    });

    test('Fn::Sub keeps a parameter inside its string', () => {
      expect(resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${PTools}:root' }, NAMED)).toBe(`arn:aws:iam::${deployTimeValue('parameter PTools')}:root`);
    });

    test('Fn::ImportValue and Fn::FindInMap ask the context', () => {
      expect(resolveIntrinsics({ 'Fn::ImportValue': 'shared-account' }, NAMED)).toBe(deployTimeValue('import shared-account'));
      expect(resolveIntrinsics({ 'Fn::FindInMap': ['Accounts', 'dev', 'Id'] }, NAMED)).toBe('333333333333');
      expect(resolveIntrinsics({ 'Fn::FindInMap': ['Accounts', 'prod', 'Id'] }, NAMED)).toBe(UNRESOLVED);
    });

    test('the audit names a parameter, an import and a mapping keyed by a parameter; the stack\'s own account names nothing', () => {
      // GIVEN a template with a parameter and a mapping, in an unknown account
      const template = {
        Parameters: { Env: { Type: 'String' }, Tools: { Type: 'String' } },
        Mappings: { Accounts: { dev: { Id: '333333333333' } } },
      };
      const ctx = auditContext(undefined, undefined, {}, template);

      // WHEN / THEN
      expect(resolveForAudit({ Ref: 'Tools' }, ctx)).toBe(deployTimeValue('parameter Tools'));
      expect(resolveForAudit({ 'Fn::ImportValue': 'shared' }, ctx)).toBe(deployTimeValue('import shared'));
      expect(resolveForAudit({ 'Fn::FindInMap': ['Accounts', { Ref: 'Env' }, 'Id'] }, ctx)).toBe(deployTimeValue('mapping Accounts keyed by parameter Env'));
      expect(resolveForAudit({ 'Fn::FindInMap': ['Accounts', 'dev', 'Id'] }, ctx)).toBe('333333333333');
      expect(resolveForAudit({ Ref: 'AWS::AccountId' }, ctx)).toBe(UNRESOLVED);
      expect(deployTimeAccountOrigin(String(resolveForAudit({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${Tools}:root' }, ctx)))).toBe('parameter Tools');
      expect(deployTimeAccountOrigin(String(resolveForAudit({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' }, ctx)))).toBeUndefined();
      expect(deployTimeAccountOrigin(String(resolveForAudit({ 'Fn::Sub': 'arn:aws:iam::111111111111:role/${Tools}' }, ctx)))).toBeUndefined();
    });
  });

  test('leaves any other intrinsic unknown', () => {
    // GIVEN / WHEN / THEN
    expect(resolveIntrinsics({ 'Fn::ImportValue': 'Export' }, AUDIT)).toBe(UNRESOLVED);
    expect(resolveIntrinsics({ 'Fn::Base64': 'a' }, QUOTA_CONTEXT)).toBe(ESTIMATE);
  });

  test('measures a policy as the JSON of its resolved form measures, on random documents with intrinsics, escapes and white space', () => {
    // GIVEN a seeded generator of template values
    let seed = 20;
    const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    const strings = ['sts:AssumeRole', 'a b', 'tab\there', 'quote"and\\slash', 'nbsp\u00a0x', 'ideographic\u3000space', 'line\u2028sep', '\u0001', 'é', '😀', '\ud800', ''];
    const intrinsics = (): unknown => pick<unknown>([
      { Ref: 'AWS::Partition' }, { Ref: 'AWS::NoValue' }, { Ref: 'Param' }, { 'Fn::GetAtt': ['Role', 'Arn'] },
      { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/ *' }, { 'Fn::Join': [' ', ['a', { Ref: 'AWS::Region' }]] },
      { 'Fn::If': ['Prod', { Ref: 'AWS::NoValue' }, 'x'] }, { 'Fn::Split': [',', 'a, b'] }, { 'Fn::Base64': 'x' },
    ]);
    const value = (depth: number): unknown => {
      const kind = depth > 3 ? random() * 4 : random() * 7;
      if (kind < 1) { return pick(strings); }
      if (kind < 2) { return pick([0, -1.5, 1e21, 42, true, false, null]); }
      if (kind < 3) { return intrinsics(); }
      if (kind < 4) { return pick(strings) + pick(strings); }
      if (kind < 5) { return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1)); }
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, (_, i) => [`${pick(strings)}${i}`, value(depth + 1)]));
    };
    const reference = (policy: unknown) => JSON.stringify(resolveIntrinsics(policy, QUOTA_CONTEXT) ?? {}).replace(/\s/g, '').length;

    // WHEN / THEN
    for (let i = 0; i < 2000; i++) {
      const policy = { Statement: [value(0)], Other: value(0) };
      expect([i, resolvedPolicyLength(policy)]).toEqual([i, reference(policy)]);
    }
    expect(resolvedPolicyLength({ Ref: 'AWS::NoValue' })).toBe(2);
    expect(resolvedPolicyLength('a b')).toBe(reference('a b'));
  });

  test('measures a policy with the quota context, whitespace not counted', () => {
    // GIVEN
    const policy = { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: partitionArn }] };

    // WHEN
    const length = resolvedPolicyLength(policy);

    // THEN
    expect(length).toBe(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws-us-gov:iam::222222222222:root' }] }).length);
  });
});
