import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import type { AssumerOptions } from '../../assumers';
import { fail, validateIamName, validateRoleName } from '../input/validation';

/** The assumers of `AssumerOptions`, imported into (or, for the new group, created in) the trusted stack. */
export interface Assumers {
  readonly users: iam.IUser[];
  readonly groups: iam.IGroup[];
  readonly roles: iam.IRole[];
  /** The group created when no existing assumer is named. */
  readonly createdGroup?: iam.Group;
}

/** Resolves `AssumerOptions` in the trusted stack; `owner` names the construct in errors. */
export function assumersIn(stack: Stack, options: AssumerOptions, owner: IConstruct): Assumers {
  // Users and roles: 1 to 64 characters; groups: 1 to 128.
  (options.assumerUserNames ?? []).forEach((name, i) => validateIamName(owner, `assumerUserNames[${i}]`, name, 64));
  (options.assumerGroupNames ?? []).forEach((name, i) => validateIamName(owner, `assumerGroupNames[${i}]`, name));
  (options.assumerRoleNames ?? []).forEach((name, i) => validateRoleName(owner, `assumerRoleNames[${i}]`, name));
  if (options.assumerGroupName !== undefined) {
    validateIamName(owner, 'assumerGroupName', options.assumerGroupName);
  }
  const users = (options.assumerUserNames ?? []).map((name, i) => iam.User.fromUserName(stack, `AssumerUser${i}`, name));
  const groups: iam.IGroup[] = (options.assumerGroupNames ?? []).map((name, i) => iam.Group.fromGroupName(stack, `AssumerGroup${i}`, name));
  const roles = (options.assumerRoleNames ?? []).map((name, i) => iam.Role.fromRoleName(stack, `AssumerRole${i}`, name));
  if (users.length + groups.length + roles.length > 0) {
    if (options.assumerGroupName !== undefined) {
      fail(owner, 'assumerGroupName is set but existing assumers are named, so no group is created; remove assumerGroupName or the assumer names');
    }
    return { users, groups, roles };
  }
  // The path is IAM's default, written out so that the group always has Properties: the AWS Control
  // Tower proactive controls CT.IAM.PR.1 and CT.IAM.PR.5 (cfn-guard) fail an AWS::IAM::Group without any.
  const createdGroup = new iam.Group(stack, 'AssumerGroup', { groupName: options.assumerGroupName, path: '/' });
  return { users, groups: [createdGroup], roles, createdGroup };
}
