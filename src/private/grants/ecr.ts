import * as ecr from 'aws-cdk-lib/aws-ecr';
import { ECR_AUTHORIZATION_ACTION, ECR_PULL_ACTIONS, REPOSITORY_POLICY_MAX_LENGTH } from '../constants';
import { literalIn } from './names';
import { ShareOptions } from './options';
import { ResourceShare } from './share';

/**
 * The repository's half of `CrossAccountGrants.repositoryPull`. A repository
 * policy has no `Resource` (it is the repository's own). ECR decrypts a
 * KMS-encrypted repository with the grant it holds on the key, so the puller
 * needs no KMS permission.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html
 */
export function repositoryShare(method: string, repository: ecr.IRepository, _options: ShareOptions): ResourceShare {
  const cfnRepository = repository.node.defaultChild instanceof ecr.CfnRepository ? repository.node.defaultChild : undefined;
  const label = `the repository '${repository.node.path}'`;
  return {
    method,
    resource: repository,
    label,
    created: cfnRepository !== undefined,
    sameAccount: grantee => repository.grantPull(grantee),
    identityStatements: stack => [
      { actions: ECR_PULL_ACTIONS, resources: [literalIn(stack, repository.repositoryArn, repository, label, 'repositoryName')] },
      // docker login: GetAuthorizationToken acts on no resource, so its Resource can only be "*" (it reads no image).
      // https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html
      { actions: [ECR_AUTHORIZATION_ACTION], resources: ['*'] },
    ],
    resourceStatements: () => [{ actions: ECR_PULL_ACTIONS, resources: [] }],
    policyResource: repository,
    keyUses: () => [],
    quota: {
      policy: `the repository policy of '${repository.node.path}'`,
      limitText: '10,240 characters for a repository policy (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SetRepositoryPolicy.html)',
      limit: REPOSITORY_POLICY_MAX_LENGTH,
      measure: () => cfnRepository?.repositoryPolicyText,
      fix: 'grant fewer principals on this repository, or grant an organization (organizationId) instead of many accounts',
    },
  };
}
