import { Annotations as CoreAnnotations, Aspects, IAspect, PhysicalName, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { CrossAccountRole, CrossAccountRolePair } from '../src';
import { OTHER, REGION, TRUSTED, TRUSTING, pairedStacks, testApp } from './util';

/**
 * CrossAccountRole is an iam.IRole: the aws-cdk-lib APIs that take a role are
 * used here the way apps use them, on the construct itself (not `role.role`).
 */

function roleInStack() {
  const { app, trusting } = pairedStacks();
  const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED] });
  return { app, trusting, role };
}

/** The logical ID of the inner AWS::IAM::Role. */
function roleLogicalId(role: CrossAccountRole): string {
  return Stack.of(role).getLogicalId(role.role.node.defaultChild as iam.CfnRole);
}

/** The statements of the role's default policy (where grants land). */
function defaultPolicyStatements(role: CrossAccountRole): unknown {
  return Template.fromStack(Stack.of(role)).findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleLogicalId(role) }] },
  });
}

describe('CrossAccountRole as an iam.IRole', () => {
  test('is accepted where an iam.IRole is taken and keeps the inner role reachable', () => {
    // GIVEN
    const { role } = roleInStack();

    // WHEN
    const asRole: iam.IRole = role;

    // THEN the IRole members are the inner role's
    expect(asRole.roleArn).toBe(role.role.roleArn);
    expect(asRole.roleName).toBe(role.role.roleName);
    expect(role.roleId).toBe(role.role.roleId);
    expect(asRole.grantPrincipal).toBe(role.role);
    expect(asRole.assumeRoleAction).toBe('sts:AssumeRole');
    expect(asRole.principalAccount).toBe(TRUSTING);
    expect(asRole.env).toEqual({ account: TRUSTING, region: REGION });
    expect(asRole.stack).toBe(Stack.of(role.role));
    expect(Stack.of(role).resolve(asRole.policyFragment.principalJson)).toEqual(Stack.of(role).resolve(role.role.policyFragment.principalJson));
    expect(Stack.of(role).resolve(asRole.roleRef)).toEqual(Stack.of(role).resolve(role.role.roleRef));
  });

  test('keeps the logical ID and construct path of the role resource', () => {
    // GIVEN / WHEN
    const { role } = roleInStack();

    // THEN the AWS::IAM::Role is still Trusting/Role/Resource, RoleXXXXXXXX
    expect(role.role.node.path).toBe('Trusting/Role/Resource');
    expect(roleLogicalId(role)).toMatch(/^Role[0-9A-F]{8}$/);
  });

  test('bucket.grantRead(role) writes the s3 read actions into the role\'s policy', () => {
    // GIVEN
    const { trusting, role } = roleInStack();
    const bucket = new s3.Bucket(trusting, 'Bucket');

    // WHEN
    bucket.grantRead(role);

    // THEN it synthesizes (no quota check chokes on the bucket's Fn::GetAtt) and the role may read
    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleLogicalId(role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: Match.arrayWith(['s3:GetObject*', 's3:List*']),
          Resource: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Bucket'), 'Arn'] }]),
        })]),
      },
    });
  });

  test('key.grantDecrypt(role) allows kms:Decrypt on the key', () => {
    // GIVEN
    const { trusting, role } = roleInStack();
    const key = new kms.Key(trusting, 'Key');

    // WHEN
    key.grantDecrypt(role);

    // THEN
    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleLogicalId(role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'kms:Decrypt',
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
        })]),
      },
    });
  });

  test('table.grantReadData(role) allows reading the table', () => {
    // GIVEN
    const { trusting, role } = roleInStack();
    const table = new dynamodb.Table(trusting, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });

    // WHEN
    table.grantReadData(role);

    // THEN
    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleLogicalId(role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: Match.arrayWith(['dynamodb:Query', 'dynamodb:GetItem']),
        })]),
      },
    });
  });

  test('queue.grantSendMessages(role) allows sending to the queue', () => {
    // GIVEN
    const { trusting, role } = roleInStack();
    const queue = new sqs.Queue(trusting, 'Queue');

    // WHEN
    queue.grantSendMessages(role);

    // THEN
    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleLogicalId(role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: Match.arrayWith(['sqs:SendMessage']),
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Queue'), 'Arn'] },
        })]),
      },
    });
  });

  test('grants to every kind of resource together still synthesize with the quota checks on', () => {
    // GIVEN
    const { app, trusting, role } = roleInStack();
    new s3.Bucket(trusting, 'Bucket').grantReadWrite(role);
    new kms.Key(trusting, 'Key').grantEncryptDecrypt(role);
    new dynamodb.Table(trusting, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }).grantReadWriteData(role);
    new sqs.Queue(trusting, 'Queue').grantConsumeMessages(role);

    // WHEN / THEN
    expect(() => app.synth()).not.toThrow();
    expect(Object.keys(defaultPolicyStatements(role) as object)).toHaveLength(1);
  });

  test('a bucket in another account grants the role by its literal ARN in the bucket policy', () => {
    // GIVEN the role in the trusting account and a bucket in a third account
    const { app, role } = roleInStack();
    const other = new Stack(app, 'Other', { env: { account: OTHER, region: REGION } });
    const bucket = new s3.Bucket(other, 'Bucket', { bucketName: PhysicalName.GENERATE_IF_NEEDED });

    // WHEN
    bucket.grantRead(role);

    // THEN the bucket policy names the role by its literal ARN, never an export
    const roleName = Template.fromStack(Stack.of(role)).findResources('AWS::IAM::Role')[roleLogicalId(role)].Properties.RoleName;
    expect(roleName).toMatch(/^trusting/);
    Template.fromStack(other).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TRUSTING}:role/${roleName}`]] } },
        })]),
      },
    });
    expect(JSON.stringify(Template.fromStack(other).toJSON())).not.toContain('Fn::ImportValue');
    // and the role's own policy allows the read
    Template.fromStack(Stack.of(role)).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*']) })]) },
    });
  });

  test('new iam.Policy(..., { roles: [role] }) with formatArn resources attaches to the role', () => {
    // GIVEN
    const { app, trusting, role } = roleInStack();

    // WHEN
    new iam.Policy(trusting, 'Policy', {
      roles: [role],
      statements: [new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: [trusting.formatArn({ service: 'ssm', resource: 'parameter', resourceName: 'app/*' })],
      })],
    });

    // THEN
    expect(() => app.synth()).not.toThrow();
    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleLogicalId(role) }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'ssm:GetParameter' })] },
    });
  });

  test('inline policies whose resources are tokens synthesize', () => {
    // GIVEN
    const { app, trusting } = pairedStacks();
    const bucket = new s3.Bucket(trusting, 'Bucket');

    // WHEN
    new CrossAccountRole(trusting, 'Role', {
      trustedAccounts: [TRUSTED],
      inlinePolicies: {
        Objects: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] })],
        }),
      },
    });

    // THEN
    expect(() => app.synth()).not.toThrow();
    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Role', {
      Policies: [Match.objectLike({ PolicyName: 'Objects' })],
    });
  });

  test('iam.PermissionsBoundary.of(role) sets the boundary of the role resource', () => {
    // GIVEN
    const { trusting, role } = roleInStack();
    const boundary = new iam.ManagedPolicy(trusting, 'Boundary', {
      statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })],
    });

    // WHEN
    iam.PermissionsBoundary.of(role).apply(boundary);

    // THEN
    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Role', {
      PermissionsBoundary: { Ref: Match.stringLikeRegexp('^Boundary') },
    });
  });

  test('grantPassRole lets a user pass the role by its ARN', () => {
    // GIVEN
    const { trusting, role } = roleInStack();
    const user = new iam.User(trusting, 'Deployer');

    // WHEN
    role.grantPassRole(user);

    // THEN
    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Policy', {
      Users: [{ Ref: Match.stringLikeRegexp('^Deployer') }],
      PolicyDocument: {
        Statement: [Match.objectLike({ Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [roleLogicalId(role), 'Arn'] } })],
      },
    });
  });

  test('grant gives a principal the named actions on the role', () => {
    // GIVEN
    const { trusting, role } = roleInStack();
    const user = new iam.User(trusting, 'Auditor');

    // WHEN
    role.grant(user, 'iam:GetRole');

    // THEN
    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Policy', {
      Users: [{ Ref: Match.stringLikeRegexp('^Auditor') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'iam:GetRole' })] },
    });
  });

  test('addToPrincipalPolicy and addToPolicy add to the role\'s default policy', () => {
    // GIVEN
    const { trusting, role } = roleInStack();

    // WHEN
    const result = role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: ['*'] }));
    const added = role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream'], resources: ['*'] }));

    // THEN
    expect(result.statementAdded).toBe(true);
    expect(added).toBe(true);
    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleLogicalId(role) }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: 'logs:PutLogEvents' }),
          Match.objectLike({ Action: 'logs:CreateLogStream' }),
        ],
      },
    });
  });

  test('addManagedPolicy attaches the policy to the role resource', () => {
    // GIVEN
    const { trusting, role } = roleInStack();

    // WHEN
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));

    // THEN
    Template.fromStack(trusting).hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] }],
    });
  });

  test('managed policies added with addManagedPolicy count toward the quota', () => {
    // GIVEN a role with 10 managed policies from its props
    const { app, role } = (() => {
      const stacks = pairedStacks();
      const managedPolicies = Array.from({ length: 10 }, (_, i) => iam.ManagedPolicy.fromAwsManagedPolicyName(`Policy${i}`));
      return { app: stacks.app, role: new CrossAccountRole(stacks.trusting, 'Role', { trustedAccounts: [TRUSTED], managedPolicies }) };
    })();

    // WHEN eleven more are added as aws-cdk-lib code does
    Array.from({ length: 11 }, (_, i) => role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(`Extra${i}`)));

    // THEN
    expect(() => app.synth()).toThrow(/Trusting\/Role.*the role has 21 managed policies, over the IAM maximum of 20/s);
  });

  test('an eleventh managed policy added with addManagedPolicy warns', () => {
    // GIVEN
    const { trusting, role } = roleInStack();

    // WHEN
    Array.from({ length: 11 }, (_, i) => role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(`Policy${i}`)));

    // THEN
    Annotations.fromStack(trusting).hasWarning('/Trusting/Role', Match.stringLikeRegexp('the role has 11 managed policies, over the default IAM quota of 10'));
  });

  test('an attached policy too large for the quota still fails with the library\'s message when its resources are tokens', () => {
    // GIVEN statements on a bucket's objects, whose ARN is only known at deploy time
    const { app, trusting, role } = roleInStack();
    const bucket = new s3.Bucket(trusting, 'Bucket');
    const statements = Array.from({ length: 120 }, (_, i) => new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [bucket.arnForObjects(`tenant-${i}/reports/*`)],
    }));

    // WHEN
    new iam.Policy(trusting, 'Big', { roles: [role], statements });

    // THEN the quota check's own error, naming the role, not aws-cdk-lib's "Fields must be ..."
    expect(() => app.synth()).toThrow(/Trusting\/Role.*the role's inline policies are about \d+ characters in total, over the IAM quota of 10240/s);
  });

  test('grants that overflow into managed policies count toward the managed policy quota', () => {
    // GIVEN a role with ten managed policies, the default quota
    const { trusting } = pairedStacks();
    const managedPolicies = Array.from({ length: 10 }, (_, i) => iam.ManagedPolicy.fromAwsManagedPolicyName(`Policy${i}`));
    const role = new CrossAccountRole(trusting, 'Role', { trustedAccounts: [TRUSTED], managedPolicies });

    // WHEN grants outgrow one inline policy (aws-cdk-lib moves the rest into OverflowPolicy managed policies)
    Array.from({ length: 100 }, (_, i) => new sqs.Queue(trusting, `Queue${i}`).grantConsumeMessages(role));

    // THEN the overflow is counted with the role's own managed policies
    const template = Template.fromStack(trusting);
    const overflow = Object.keys(template.findResources('AWS::IAM::ManagedPolicy')).length;
    expect(overflow).toBeGreaterThan(0);
    Annotations.fromStack(trusting).hasWarning('/Trusting/Role',
      Match.stringLikeRegexp(`the role has ${10 + overflow} managed policies, over the default IAM quota of 10`));
  });

  test('applyRemovalPolicy retains the role resource', () => {
    // GIVEN
    const { trusting, role } = roleInStack();

    // WHEN
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);

    // THEN
    Template.fromStack(trusting).hasResource('AWS::IAM::Role', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('an aspect that visits roles reaches the role resource', () => {
    // GIVEN an aspect as organisations write them: tag every AWS::IAM::Role it finds
    const { trusting, role } = roleInStack();
    const seen: string[] = [];
    class RoleAudit implements IAspect {
      public visit(node: IConstruct): void {
        if (node instanceof iam.CfnRole) {
          seen.push(node.node.path);
          CoreAnnotations.of(node).addInfo('audited');
        }
      }
    }

    // WHEN
    Aspects.of(trusting).add(new RoleAudit());
    Template.fromStack(trusting);

    // THEN
    expect(seen).toEqual([`${role.node.path}/Resource/Resource`]);
  });

  test('the pair\'s role is an iam.IRole too', () => {
    // GIVEN
    const pair = new CrossAccountRolePair(testApp(), 'Pair', { trustingAccount: TRUSTING, trustedAccount: TRUSTED, region: REGION, roleName: 'Reader' });
    const bucket = new s3.Bucket(pair.trustingStack, 'Bucket');

    // WHEN
    bucket.grantRead(pair.role);

    // THEN
    const roleId = pair.trustingStack.getLogicalId(pair.role.role.node.defaultChild as iam.CfnRole);
    Template.fromStack(pair.trustingStack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*']) })]) },
    });
  });
});
