import { describe, expect, it } from 'vitest';
import { atlasRegion, awsRegion } from '../lambdas/regions';

describe('AWS regions in both forms', () => {
  it.each([
    ['us-east-1', 'us-east-1', 'US_EAST_1'],
    ['US_EAST_1', 'us-east-1', 'US_EAST_1'],
    ['ap-southeast-2', 'ap-southeast-2', 'AP_SOUTHEAST_2'],
    ['us-gov-west-1', 'us-gov-west-1', 'US_GOV_WEST_1'],
    ['US_GOV_WEST_1', 'us-gov-west-1', 'US_GOV_WEST_1'],
  ])('reads %s as %s and %s', (given, aws, atlas) => {
    expect(awsRegion(given)).toBe(aws);
    expect(atlasRegion(given)).toBe(atlas);
  });

  it.each(['', 'us_east_1', 'US-EAST-1', 'Us-East-1', 'useast1', 'us-east', 'eastus2', 42, null])(
    'refuses %j',
    (given) => {
      expect(awsRegion(given)).toBeUndefined();
      expect(atlasRegion(given)).toBeUndefined();
    },
  );
});
