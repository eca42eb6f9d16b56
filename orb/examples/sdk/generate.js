// A dynamic-config generator: imports the lambda-release orb with the CircleCI config SDK's
// orb-import support and prints a config whose workflow deploys, holds for an approval and
// rolls back. Run it in a setup workflow and continue with what it prints:
//
//   circleci orb source lambda-release/lambda-release@1 > orb.yml   # the manifest's source
//   node generate.js orb.yml > .circleci/generated.yml
//
// Settings come from the environment (defaults in brackets): LR_STACK_PREFIX [my-lambda],
// LR_HELPER_SOURCE [empty: the helper pinned in the orb], LR_ORB_VERSION [1].
// Values stay in CircleCI's own forms: `$VAR` strings (the orb substitutes them in the job),
// booleans, comma-separated capabilities.
'use strict';

const fs = require('fs');
const CircleCI = require('@circleci/circleci-config-sdk');
const YAML = require('yaml');

const { CustomParametersList, CustomParameter, CustomEnumParameter } = CircleCI.parameters;

/** The SDK's manifest (jobs, commands, executors with their parameters) from the orb's source. */
function manifestOf(orb) {
  const manifest = { jobs: {}, commands: {}, executors: {} };
  for (const kind of Object.keys(manifest)) {
    for (const [name, definition] of Object.entries(orb[kind] || {})) {
      const parameters = Object.entries(definition.parameters || {}).map(([key, decl]) =>
        decl.type === 'enum'
          ? new CustomEnumParameter(key, decl.enum, decl.default, decl.description)
          : new CustomParameter(key, decl.type, decl.default, decl.description),
      );
      manifest[kind][name] = new CustomParametersList(parameters);
    }
  }
  return manifest;
}

function main(argv, env) {
  if (argv.length < 1) {
    process.stderr.write('usage: node generate.js ORB_SOURCE.yml (the packed orb)\n');
    return 2;
  }
  const source = YAML.parse(fs.readFileSync(argv[0], 'utf8'));
  const lambdaRelease = new CircleCI.orb.OrbImport(
    'lambda-release',
    'lambda-release',
    'lambda-release',
    env.LR_ORB_VERSION || '1',
    source.description,
    manifestOf(source),
    source.display,
  );
  // aws-cli is only named in the auth steps: an import without a manifest is enough.
  const awsCli = new CircleCI.orb.OrbImport('aws-cli', 'circleci', 'aws-cli', '5');

  const prefix = env.LR_STACK_PREFIX || 'my-lambda';
  const shared = { stack_prefix: prefix };
  if (env.LR_HELPER_SOURCE) shared.helper_source = env.LR_HELPER_SOURCE;
  const auth = [{ 'aws-cli/setup': { role_arn: '${AWS_ROLE_ARN}', session_duration: '3600' } }];

  const workflow = new CircleCI.Workflow('release');
  workflow.jobs.push(
    new CircleCI.workflow.WorkflowJob(lambdaRelease.jobs.deploy, {
      name: 'deploy',
      ...shared,
      auth,
      s3_bucket: '${ARTIFACTS_BUCKET}',
      resolve_s3: false,
      capabilities: 'CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND',
      parameter_overrides: 'Version=${CIRCLE_SHA1}',
      context: ['aws-deploy'],
    }),
  );
  workflow.addJobApproval('hold-rollback', { requires: ['deploy'] });
  workflow.jobs.push(
    new CircleCI.workflow.WorkflowJob(lambdaRelease.jobs.rollback, {
      name: 'rollback',
      ...shared,
      auth,
      approval_job: 'hold-rollback',
      requires: ['hold-rollback'],
      context: ['aws-rollback'],
    }),
  );

  const config = new CircleCI.Config();
  config.importOrb(lambdaRelease).importOrb(awsCli);
  config.addWorkflow(workflow);
  process.stdout.write(config.stringify());
  return 0;
}

process.exitCode = main(process.argv.slice(2), process.env);
