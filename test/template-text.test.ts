import * as fs from 'fs';
import * as path from 'path';
import { parseTemplateText, TemplateSyntaxError } from '../src/private/template/text';

const FIXTURES = path.join(__dirname, 'fixtures', 'real-world');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf-8');

/** The 1-based line of the first line of `text` that contains `needle`, and the column where it starts. */
function whereIs(text: string, needle: string): { line: number; column: number } {
  const lines = text.split('\n');
  const line = lines.findIndex(l => l.includes(needle));
  if (line < 0) { throw new Error(`no line has ${needle}`); }
  return { line: line + 1, column: lines[line].indexOf(needle) + 1 };
}

/** The error a text throws, or undefined when it parses. */
function errorOf(text: string): TemplateSyntaxError | undefined {
  try {
    parseTemplateText(text);
    return undefined;
  } catch (e) {
    return e as TemplateSyntaxError;
  }
}

describe('reading YAML as CloudFormation reads it', () => {
  test('reads quoted scalars whose continuation lines sit at their key\'s indentation, as PyYAML and cfn-lint do', () => {
    // GIVEN a vendor-style parameter description: a single-quoted and a double-quoted scalar over two lines
    const text = fixture('vendor-multiline.yaml');

    // WHEN
    const { template } = parseTemplateText(text) as { template: any };

    // THEN the lines are folded into one, as YAML folds them
    expect(template.Parameters.ExternalId.Description).toBe(
      'The external ID from the integration page of your monitoring account, which ties this role to your tenant. Paste it as it is shown.');
    expect(template.Parameters.VendorAccount.Description).toBe('The vendor\'s AWS account, as its documentation gives it');
  });

  test('reads a flow collection whose continuation line sits at its key\'s indentation', () => {
    const { template } = parseTemplateText(fixture('vendor-multiline.yaml')) as { template: any };
    expect(template.Resources.IntegrationRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      AWS: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${VendorAccount}:root' }, 'arn:aws:iam::222222222222:root'],
    });
  });

  test('keeps an unquoted policy version (2012-10-17, 2008-10-17) as the string IAM reads, not a date', () => {
    const { template } = parseTemplateText(fixture('vendor-multiline.yaml')) as { template: any };
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(template.Resources.IntegrationRole.Properties.AssumeRolePolicyDocument.Version).toBe('2012-10-17');
    expect(template.Resources.Wildcard.Properties.AssumeRolePolicyDocument.Version).toBe('2008-10-17');
  });

  test('reads scalars with YAML 1.1\'s rules, as CloudFormation does: an account with a leading zero stays a string, yes is true', () => {
    // WHEN
    const { template } = parseTemplateText('a: 012345678901\nb: 123456789012\nc: yes\nd: "012345678901"\n') as { template: any };

    // THEN
    expect(template).toEqual({ a: '012345678901', b: 123456789012, c: true, d: '012345678901' });
  });

  test('gives the positions of the text as written, on the lines a repair indented', () => {
    // GIVEN the second principal of the list, on a continuation line indented as its key
    const text = fixture('vendor-multiline.yaml');

    // WHEN
    const position = parseTemplateText(text).positionOf(['Resources', 'IntegrationRole', 'Properties', 'AssumeRolePolicyDocument', 'Statement', '0', 'Principal', 'AWS', '1']);

    // THEN
    expect(position).toEqual(whereIs(text, '\'arn:aws:iam::222222222222:root\' ]'));
  });

  test('still refuses YAML that PyYAML refuses too, at the position of the first error', () => {
    // GIVEN a plain scalar continued at its key's indentation (a new key without a colon, to every parser)
    const text = 'Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Description: a plain scalar\n    continued here\n';

    // WHEN
    const error = errorOf(text);

    // THEN
    expect(error).toBeInstanceOf(TemplateSyntaxError);
    expect([error!.line, error!.message]).toEqual([5, 'Implicit map keys need to be followed by map values']);
  });

  test('does not take a quote inside a plain scalar, or inside a block scalar, for a quoted scalar', () => {
    // GIVEN an apostrophe in a plain scalar and in a literal block, before a quoted scalar that needs the repair
    const text = [
      'Description: it\'s a role',
      'Notes: |',
      '  don\'t read this as a quote',
      'Title: \'a title',
      'over two lines\'',
      '',
    ].join('\n');

    // WHEN
    const { template } = parseTemplateText(text);

    // THEN
    expect(template).toEqual({ Description: 'it\'s a role', Notes: 'don\'t read this as a quote\n', Title: 'a title over two lines' });
  });
});

describe('positions inside a template body', () => {
  test('finds a node of a StackSet\'s YAML body (a literal block) at its line and column in the file', () => {
    // GIVEN
    const text = fixture('stackset-yaml-body.yaml');

    // WHEN
    const position = parseTemplateText(text).positionOf([
      'Resources', 'MemberRoles', 'Properties', 'TemplateBody', 'Resources', 'OpenRole', 'Properties', 'AssumeRolePolicyDocument', 'Statement', '0', 'Principal',
    ]);

    // THEN
    expect(position).toEqual(whereIs(text, '\'*\''));
  });

  test('finds a node of a StackSet\'s JSON body (a JSON string) at its column on the file\'s line', () => {
    // GIVEN a JSON template whose StackSet body is a JSON string, with escapes before the node
    const body = JSON.stringify({ Description: 'a "quoted" word', Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'needle' } } } });
    const text = JSON.stringify({ Resources: { Set: { Type: 'AWS::CloudFormation::StackSet', Properties: { TemplateBody: body } } } }, null, 2);

    // WHEN
    const position = parseTemplateText(text).positionOf(['Resources', 'Set', 'Properties', 'TemplateBody', 'Resources', 'Role', 'Properties', 'RoleName']);

    // THEN at the escaped string's opening quote, \"needle\"
    expect(position).toEqual(whereIs(text, '\\"needle\\"'));
  });

  test('finds a node of a body built by !Sub, in the text of the block', () => {
    // GIVEN
    const text = [
      'Resources:',
      '  Set:',
      '    Type: AWS::CloudFormation::StackSet',
      '    Properties:',
      '      TemplateBody: !Sub |',
      '        Resources:',
      '          Role:',
      '            Type: AWS::IAM::Role',
      '            Properties:',
      '              RoleName: ${Prefix}-needle',
      '',
    ].join('\n');

    // WHEN
    const position = parseTemplateText(text).positionOf(['Resources', 'Set', 'Properties', 'TemplateBody', 'Resources', 'Role', 'Properties', 'RoleName']);

    // THEN
    expect(position).toEqual(whereIs(text, '${Prefix}-needle'));
  });

  test('stops at the body when it cannot be read', () => {
    // GIVEN a body that is not a template
    const text = 'Resources:\n  Set:\n    Type: AWS::CloudFormation::StackSet\n    Properties:\n      TemplateBody: "{ not: [valid"\n';

    // WHEN / THEN
    expect(parseTemplateText(text).positionOf(['Resources', 'Set', 'Properties', 'TemplateBody', 'Resources', 'Role'])).toEqual({ line: 5, column: 21 });
  });
});

describe('positions in JSON, without a second parse', () => {
  test('finds members, list items and the last of duplicate keys (the one JSON.parse keeps)', () => {
    // GIVEN
    const text = '{\n  "a": {"x": 1, "x": {"y": [10, {"z": "needle"}]}},\n  "b": "\\"quoted\\" \\u0041"\n}\n';

    // WHEN
    const { positionOf } = parseTemplateText(text);

    // THEN
    expect(positionOf(['a', 'x', 'y', '1', 'z'])).toEqual(whereIs(text, '"needle"'));
    expect(positionOf(['a', 'x', 'y', '0'])).toEqual(whereIs(text, '10'));
    expect(positionOf(['b'])).toEqual(whereIs(text, '"\\"quoted'));
    expect(positionOf(['a', 'missing', 'deeper'])).toEqual(whereIs(text, '{"x"'));
  });

  test('names the position of a JSON syntax error', () => {
    const error = errorOf('{\n  "Resources": {\n    "Role": {,\n  }\n}\n');
    expect([error!.line, error!.column]).toEqual([3, 14]);
  });
});
