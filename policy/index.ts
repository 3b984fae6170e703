// Policy pack run with every preview of scripts/preview-all.sh. Every policy
// is mandatory, so a violation fails the preview before anything changes.
//
// NOTE: @pulumi/policy 1.21.0 hands secret values to policies already
// unwrapped, so a policy cannot see whether a value is marked secret. The
// password policy therefore checks names and places: credential properties
// only where SECRET_PROPERTIES lists them as stored as secrets by the resource class,
// no credential lines in non-secret files and no credentials in a container's
// environment. test/e2e/preview-checks.test.ts checks those properties are
// encrypted in a real stack's state.

import { PolicyPack, ReportViolation, ResourceValidationArgs } from "@pulumi/policy";

import {
  RESOURCE_TYPES,
  checkContainerEnvironment,
  checkGrantPrivileges,
  checkPlainFiles,
  checkSecretProperties,
  checkSecretStrength,
} from "./rules";

function reportAll(problems: readonly string[], reportViolation: ReportViolation, urn: string): void {
  for (const problem of problems) {
    reportViolation(problem, urn);
  }
}

new PolicyPack("inova-pbx", {
  enforcementLevel: "mandatory",
  policies: [
    {
      name: "database-least-privilege",
      description: "No database account other than root@localhost has ALL or GRANT OPTION.",
      validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type === RESOURCE_TYPES.grant) {
          reportAll(checkGrantPrivileges(args.props), reportViolation, args.urn);
        }
      },
    },
    {
      name: "passwords-in-secret-properties",
      description: "Passwords appear only in properties that the state stores as secrets.",
      validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        reportAll(checkSecretProperties(args.type, args.props, args.opts.additionalSecretOutputs ?? []), reportViolation, args.urn);
        if (args.type === RESOURCE_TYPES.containerFiles) {
          reportAll(checkPlainFiles(args.props), reportViolation, args.urn);
        }
        if (args.type === RESOURCE_TYPES.container) {
          reportAll(checkContainerEnvironment(args.props), reportViolation, args.urn);
        }
      },
    },
    {
      name: "secret-strength",
      description: "Passwords set as inputs have at least 16 characters from enough character classes.",
      validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        reportAll(checkSecretStrength(args.type, args.props), reportViolation, args.urn);
      },
    },
  ],
});
