import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ExternalIdTrust } from '../src';
import { OTHER, TRUSTED, pairedStacks } from './util';

describe('ExternalIdTrust', () => {
  test('with external IDs, trusts the account with a literal StringEquals sts:ExternalId', () => {
    // GIVEN
    const { trusting } = pairedStacks();

    // WHEN
    const trust = new ExternalIdTrust(trusting, 'Vendor', { trustedAccount: TRUSTED, externalIds: ['vendor-id-0000001', 'vendor-id-0000002'] });
    new iam.Role(trusting, 'Role', { assumedBy: trust.principal });

    // THEN
    expect(trust.trustedAccount).toBe(TRUSTED);
    expect(trust.externalIds).toEqual(['vendor-id-0000001', 'vendor-id-0000002']);
    expect(trust.externalIdParameter).toBeUndefined();
    const template = Template.fromStack(trusting);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TRUSTED}:root`]] } },
          Condition: { StringEquals: { 'sts:ExternalId': ['vendor-id-0000001', 'vendor-id-0000002'] } },
        }],
        Version: '2012-10-17',
      },
    });
    expect(template.toJSON().Parameters?.VendorExternalId).toBeUndefined();
  });

  test('without external IDs, takes the ID from a NoEcho parameter with the STS length and pattern', () => {
    const { trusting } = pairedStacks();

    const trust = new ExternalIdTrust(trusting, 'Vendor', { trustedAccount: TRUSTED });
    new iam.Role(trusting, 'Role', { assumedBy: trust.principal });

    const template = Template.fromStack(trusting);
    const parameterId = trusting.getLogicalId(trust.externalIdParameter!);
    template.hasParameter(parameterId, {
      Type: 'String',
      NoEcho: true,
      MinLength: 2,
      MaxLength: 1224,
      AllowedPattern: '[\\w+=,.@:/-]+',
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Condition: { StringEquals: { 'sts:ExternalId': { Ref: parameterId } } } })],
      }),
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"Default"\s*:\s*"[^/]/);
  });

  test('names the parameter as asked, for cdk deploy --parameters', () => {
    const { trusting } = pairedStacks();

    const trust = new ExternalIdTrust(trusting, 'Vendor', { trustedAccount: TRUSTED, parameterName: 'VendorExternalId' });
    new iam.Role(trusting, 'Role', { assumedBy: trust.principal });

    Template.fromStack(trusting).hasParameter('VendorExternalId', { NoEcho: true });
    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'VendorExternalId' } } } })],
      }),
    });
  });

  test('narrows the trust to principal ARNs of the trusted account with aws:PrincipalArn', () => {
    const { trusting } = pairedStacks();
    const arn = `arn:aws:iam::${TRUSTED}:role/vendor-scanner`;

    const trust = new ExternalIdTrust(trusting, 'Vendor', { trustedAccount: TRUSTED, externalIds: ['vendor-id-0000001'], trustedPrincipalArns: [arn] });
    new iam.Role(trusting, 'Role', { assumedBy: trust.principal });

    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: { 'sts:ExternalId': 'vendor-id-0000001' },
            ArnEquals: { 'aws:PrincipalArn': arn },
          },
        })],
      }),
    });
  });

  test('refuses principal ARNs of another account than the trusted one', () => {
    const { trusting } = pairedStacks();

    expect(() => new ExternalIdTrust(trusting, 'Vendor', {
      trustedAccount: TRUSTED,
      trustedPrincipalArns: [`arn:aws:iam::${OTHER}:role/x`],
    })).toThrow(/Trusting\/Vendor: trustedPrincipalArns must be principals of the trusted account 222222222222, got one in '333333333333'/);
  });

  test('refuses an empty list of external IDs', () => {
    const { trusting } = pairedStacks();

    expect(() => new ExternalIdTrust(trusting, 'Vendor', { trustedAccount: TRUSTED, externalIds: [] }))
      .toThrow(/externalIds is an empty list; give at least one external ID/);
  });

  test('refuses a parameter name that is not a logical ID', () => {
    const { trusting } = pairedStacks();

    expect(() => new ExternalIdTrust(trusting, 'Vendor', { trustedAccount: TRUSTED, parameterName: 'external-id' }))
      .toThrow(/parameterName must be 1 to 255 letters and digits/);
  });
});
