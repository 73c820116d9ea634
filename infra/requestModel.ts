import { type JsonSchema, JsonSchemaType, JsonSchemaVersion } from 'aws-cdk-lib/aws-apigateway';
import { RequestLimits } from '../lambdas/domain/request';
import { IdForm } from '../lambdas/ids';

const pattern = (re: RegExp) => re.source;

/**
 * The API Gateway request model: documents the body (and exports with the API), derived from the same
 * forms and limits as the handler's validation. API Gateway does not enforce it: the start function
 * validates every body itself, so that a 400 names each bad field.
 */
export const provisioningRequestSchema: JsonSchema = {
  schema: JsonSchemaVersion.DRAFT4,
  title: 'ProvisioningRequest',
  type: JsonSchemaType.OBJECT,
  additionalProperties: false,
  required: ['groupId', 'vpcId', 'subnetIds'],
  properties: {
    groupId: { type: JsonSchemaType.STRING, pattern: pattern(IdForm.groupId.pattern) },
    endpointServiceId: { type: JsonSchemaType.STRING, pattern: pattern(IdForm.endpointServiceId.pattern) },
    region: { type: JsonSchemaType.STRING, pattern: pattern(IdForm.awsRegion.pattern) },
    crossRegion: { type: JsonSchemaType.BOOLEAN },
    vpcId: { type: JsonSchemaType.STRING, pattern: pattern(IdForm.vpcId.pattern) },
    subnetIds: {
      type: JsonSchemaType.ARRAY,
      minItems: 1,
      maxItems: RequestLimits.maxSubnets,
      uniqueItems: true,
      items: { type: JsonSchemaType.STRING, pattern: pattern(IdForm.subnetId.pattern) },
    },
    securityGroupIds: {
      type: JsonSchemaType.ARRAY,
      maxItems: RequestLimits.maxSecurityGroups,
      uniqueItems: true,
      items: { type: JsonSchemaType.STRING, pattern: pattern(IdForm.securityGroupId.pattern) },
    },
    maxAttempts: { type: JsonSchemaType.INTEGER, minimum: 1, maximum: RequestLimits.maxAttempts },
    timeoutSeconds: {
      type: JsonSchemaType.INTEGER,
      minimum: RequestLimits.minTimeoutSeconds,
      maximum: RequestLimits.maxTimeoutSeconds,
    },
    connectionStringTimeoutSeconds: {
      type: JsonSchemaType.INTEGER,
      minimum: 0,
      maximum: RequestLimits.maxConnectionStringTimeoutSeconds,
    },
    tags: {
      type: JsonSchemaType.OBJECT,
      maxProperties: RequestLimits.maxTags,
      additionalProperties: { type: JsonSchemaType.STRING, maxLength: 256 },
    },
  },
};
