// CircleCI's own config parser (@circleci/circleci-config-parser) on one config, for
// tests/orb/test_circleci_parser.py. `make parser-deps` installs it into build/parser.
//
//   NODE_PATH=build/parser/node_modules node tests/orb/parser/parse.js < input.json
//
// stdin:  {"config": {...}, "manifests": {"<alias>": {"jobs": {"<job>": {<parameters>}},
//          "commands": {...}, "executors": {...}}}}: the config as data (YAML already read),
//          and for each orb alias the orb's manifest (its components and their parameters).
// stdout: {"ok": true, "orbs": [...], "workflows": {"<workflow>": [{"job", "name"}, ...]}}
//         or {"ok": false, "error": "<the parser's message>"}; exit 0 either way.
//
// The parser's only release (0.10.0-alpha.3) has four gaps that reject configs CircleCI
// accepts; each is worked around here, and nothing else is changed:
// 1. Its orb-reference pattern takes versions made of the digits 0-5 only (`@1`, `@5.1`):
//    `circleci/orb-tools@12.3` is dropped without a word, and every job of that orb is then
//    "not found". The pattern is recompiled to CircleCI's (major[.minor[.patch]], any digits),
//    and an orb the parser still drops is reported as an error, never ignored.
// 2. An inline orb (a map under `orbs:`, as orb-tools/continue injects the packed orb into
//    test-deploy.yml) throws `match is not a function`: the parser is given a registry-style
//    reference for it and a manifest built from the inline orb's own definitions.
// 3. A config without `jobs:` (every orb example: its jobs all come from orbs) throws in
//    Object.entries(undefined): the parser is given `jobs: {}`.
// 4. It predates job status requirements (`requires: [{deploy: [success, failed]}]`, in
//    CircleCI's schema with success, failed, canceled, not_run, unauthorized, terminal):
//    such an entry is given to it as the job's name alone, so it still checks that the job
//    exists; the statuses are checked by the project's validator and the schema.
'use strict';

const fs = require('fs');
const Parser = require('@circleci/circleci-config-parser');

Parser.orbImportPattern.compile('^(.*)\\/(.*)@((\\d+)(\\.\\d+)?(\\.\\d+)?)$');

/** The manifest of an inline orb: each job's, command's and executor's parameters. */
function inlineManifest(orb) {
  const manifest = {};
  for (const kind of ['jobs', 'commands', 'executors']) {
    manifest[kind] = {};
    for (const [name, definition] of Object.entries(orb[kind] || {})) {
      manifest[kind][name] = (definition && definition.parameters) || {};
    }
  }
  return manifest;
}

/** The workflows with each `{job: statuses}` entry of `requires` as `job` (gap 4). */
function requiresByName(workflows) {
  const out = {};
  for (const [name, workflow] of Object.entries(workflows)) {
    if (!workflow || !Array.isArray(workflow.jobs)) {
      out[name] = workflow;
      continue;
    }
    const jobs = workflow.jobs.map((entry) => {
      if (!entry || typeof entry !== 'object') return entry;
      const [[ref, args]] = Object.entries(entry);
      if (!args || !Array.isArray(args.requires)) return entry;
      const requires = args.requires.map((r) =>
        r !== null && typeof r === 'object' ? Object.keys(r)[0] : r);
      return { [ref]: { ...args, requires } };
    });
    out[name] = { ...workflow, jobs };
  }
  return out;
}

function parse(input) {
  const config = { ...input.config };
  const manifests = { ...(input.manifests || {}) };
  if (config.jobs === undefined) config.jobs = {}; // bug 3
  if (config.workflows) config.workflows = requiresByName(config.workflows); // gap 4
  if (config.orbs) {
    config.orbs = { ...config.orbs };
    for (const [alias, ref] of Object.entries(config.orbs)) {
      if (ref !== null && typeof ref === 'object') {
        // bug 2: the parser reads only `namespace/name@version`.
        config.orbs[alias] = `inline/${alias}@1`;
        manifests[alias] = inlineManifest(ref);
      }
    }
  }
  const parsed = {};
  for (const [alias, manifest] of Object.entries(manifests)) {
    parsed[alias] = Parser.parseOrbManifest(manifest);
  }
  const result = Parser.parseConfig(config, parsed);
  const imported = (result.orbs || []).map((orb) => orb.alias);
  const dropped = Object.keys(config.orbs || {}).filter((alias) => !imported.includes(alias));
  if (dropped.length) {
    throw new Error(`the parser dropped the orb import(s) ${dropped.join(', ')}`); // bug 1
  }
  const workflows = {};
  for (const workflow of result.workflows) {
    workflows[workflow.name] = workflow.jobs.map((entry) => ({
      job: entry.job ? entry.job.name : null,
      name: (entry.parameters && entry.parameters.name) || entry.name,
    }));
  }
  return { ok: true, orbs: imported, workflows };
}

function main() {
  const input = JSON.parse(fs.readFileSync(0, 'utf8'));
  let output;
  try {
    output = parse(input);
  } catch (error) {
    output = { ok: false, error: String(error && error.message ? error.message : error) };
  }
  process.stdout.write(JSON.stringify(output) + '\n');
}

main();
