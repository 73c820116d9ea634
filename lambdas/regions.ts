/**
 * AWS regions in the two forms this project meets: AWS's (`eu-west-1`) and Atlas's (`EU_WEST_1`, the
 * `regionName` of an AWS endpoint service). Requests may use either; the workflow reports AWS's.
 */
import { IdForm } from './ids';

/** Atlas's name of an AWS region, e.g. `US_EAST_1`, `US_GOV_WEST_1`. */
const ATLAS_AWS_REGION = /^[A-Z]{2}(?:_GOV|_ISO[A-Z]?)?_[A-Z]+_\d$/;

/** Both forms of an AWS region given in either; undefined when `region` is neither. */
export function awsRegionForms(
  region: unknown,
): { readonly atlas: string; readonly aws: string } | undefined {
  if (typeof region !== 'string') return undefined;
  if (IdForm.awsRegion.pattern.test(region))
    return { atlas: region.toUpperCase().replace(/-/g, '_'), aws: region };
  if (ATLAS_AWS_REGION.test(region)) return { atlas: region, aws: region.toLowerCase().replace(/_/g, '-') };
  return undefined;
}

/** The region in AWS's form (`us-east-1`), from either form; undefined when it is neither. */
export function awsRegion(region: unknown): string | undefined {
  return awsRegionForms(region)?.aws;
}

/** The region in Atlas's form (`US_EAST_1`), from either form; undefined when it is neither. */
export function atlasRegion(region: unknown): string | undefined {
  return awsRegionForms(region)?.atlas;
}

/** Words for error messages: what a region field takes. */
export const REGION_EXPECTED = `${IdForm.awsRegion.expected} or its Atlas form such as "US_EAST_1"`;

/**
 * The AWS partition a region (in AWS's form) belongs to: `aws-us-gov`, `aws-cn`, `aws-iso…`, else `aws`.
 * Cross-region PrivateLink connects regions of one partition only.
 */
export function awsPartition(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  const iso = /^[a-z]{2}-iso([a-z]?)-/.exec(region);
  if (iso) return iso[1] ? `aws-iso-${iso[1]}` : 'aws-iso';
  return 'aws';
}
