/**
 * The report the CDK Validations API writes next to the cloud assembly (`validation-report.json`): what
 * each policy-validation plugin (here cdk-nag's AwsSolutionsChecks) found, and what was acknowledged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly conclusion: string;
    readonly violations: readonly {
      readonly ruleName: string;
      readonly violatingConstructs: readonly { readonly constructPath: string }[];
    }[];
    readonly suppressedViolations?: readonly {
      readonly ruleName: string;
      readonly acknowledgedId: string;
      readonly reason: string;
      readonly violatingConstructs?: readonly { readonly constructPath: string }[];
    }[];
  }[];
}

/** Reads the report of a synthesized assembly (`app.synth().directory`, or the app's `outdir`). */
export function readValidationReport(assemblyDirectory: string): ValidationReport {
  return JSON.parse(
    readFileSync(join(assemblyDirectory, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
}

/** Every finding no one acknowledged, of every plugin, as `plugin rule construct-path…`. */
export function unacknowledgedFindings(report: ValidationReport): string[] {
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.map(
      (v) =>
        `${plugin.pluginName} ${v.ruleName} ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`,
    ),
  );
}
