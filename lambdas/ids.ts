/**
 * The forms of the identifiers this project handles, each with the words used in error messages.
 * Sources: the Atlas OpenAPI spec (`^([a-f0-9]{24})$`, `^vpce-[0-9a-f]{17}$`) and EC2's id formats.
 */
export const IdForm = {
  groupId: { pattern: /^[a-f0-9]{24}$/, expected: '24 hexadecimal characters (the Atlas project id)' },
  endpointServiceId: {
    pattern: /^[a-f0-9]{24}$/,
    expected: '24 hexadecimal characters (the Atlas endpoint service id)',
  },
  vpcEndpointId: {
    pattern: /^vpce-[0-9a-f]{17}$/,
    expected: '"vpce-" followed by 17 hexadecimal characters',
  },
  endpointServiceName: {
    pattern: /^com\.amazonaws\.vpce\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d\.vpce-svc-[0-9a-f]{17}$/,
    expected:
      'an AWS endpoint service name "com.amazonaws.vpce.<region>.vpce-svc-" and 17 hexadecimal characters',
  },
  vpcId: {
    pattern: /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    expected: '"vpc-" followed by 8 or 17 hexadecimal characters',
  },
  subnetId: {
    pattern: /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    expected: '"subnet-" followed by 8 or 17 hexadecimal characters',
  },
  securityGroupId: {
    pattern: /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
    expected: '"sg-" followed by 8 or 17 hexadecimal characters',
  },
  awsRegion: {
    pattern: /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/,
    expected: 'an AWS region name such as "us-east-1"',
  },
  gcpProjectId: { pattern: /^p-[0-9a-z]{24}$/, expected: '"p-" followed by 24 lowercase letters or digits' },
  azurePrivateEndpointId: {
    pattern:
      /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resource[gG]roups\/[-\w.()]+\/providers\/Microsoft\.Network\/privateEndpoints\/[-\w.()]+$/,
    expected:
      'an Azure private endpoint resource id ("/subscriptions/<uuid>/resourceGroups/<group>/providers/Microsoft.Network/privateEndpoints/<name>")',
  },
  ipAddress: {
    pattern:
      /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$|^(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}$/i,
    expected: 'an IPv4 or full IPv6 address',
  },
} as const;

export type IdKind = keyof typeof IdForm;

/** True when `value` is a string of the given form. */
export function isId(kind: IdKind, value: unknown): value is string {
  return typeof value === 'string' && IdForm[kind].pattern.test(value);
}

/** A short, safe rendering of a received value for an error message (never the whole of a long string). */
export function describeReceived(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

// Step Functions' rules for execution names: 1 to 80 characters, none of whitespace, < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /
// nor control characters. https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it rejects
const FORBIDDEN_EXECUTION_NAME_CHARS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

/** True when `name` is a name Step Functions accepts for an execution (an `executionId` of the API). */
export function isExecutionName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length >= 1 &&
    name.length <= 80 &&
    !FORBIDDEN_EXECUTION_NAME_CHARS.test(name)
  );
}

/** Words for error messages: what an execution id looks like. */
export const EXECUTION_ID_EXPECTED =
  'an execution id: 1 to 80 characters without spaces, brackets, wildcards or "#%\\^|~`$&,;:/ (the executionId a provisioning was answered with)';
