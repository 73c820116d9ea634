import type { Clock } from '../shared/model';
import { AwsApiError } from './errors';
import { randomSuffix, uuid } from './ids';
import { epochSeconds, type JsonObject, optionalArray, optionalString, requiredString } from './jsonInput';

/** One version's value: text (`SecretString`) or bytes (`SecretBinary`, kept base64 as the wire carries it). */
type SecretValue = { readonly string: string } | { readonly binaryBase64: string };

interface SecretVersion {
  readonly versionId: string;
  readonly value: SecretValue;
  readonly createdAt: number;
  stages: string[];
}

interface SecretRecord {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  lastChangedAt: number;
  lastAccessedAt?: number;
  /** Newest first; versions without a staging label are kept (a retried token finds them) but not listed. */
  versions: SecretVersion[];
}

interface SecretsManagerConfig {
  readonly region: string;
  readonly accountId: string;
  readonly clock: Clock;
  readonly secrets: Readonly<Record<string, string>>;
}

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const NOT_FOUND_MESSAGE = "Secrets Manager can't find the specified secret.";
const DAY_MS = 24 * 60 * 60 * 1000;
/** `ClientRequestToken`: 32 to 64 characters (the PutSecretValue API reference). */
const CLIENT_REQUEST_TOKEN = /^.{32,64}$/s;

/**
 * The emulated Secrets Manager: secrets by name, with versions and the AWSCURRENT / AWSPREVIOUS staging
 * labels. A secret's ARN ends in `-` and six random characters, as in AWS, so code that builds ARNs from
 * names instead of reading them is caught. `PutSecretValue` is how a user puts their Atlas key into the
 * offline stack (`npm run dev`), with the real service's idempotency by `ClientRequestToken`.
 */
export class SecretsManagerService {
  readonly #config: SecretsManagerConfig;
  #secrets = new Map<string, SecretRecord>();
  /** Each name keeps the ARN it got first, through {@link reset}: code holding that ARN still finds it. */
  readonly #arns = new Map<string, string>();

  constructor(config: SecretsManagerConfig) {
    this.#config = config;
    this.reset();
  }

  handle(action: string, input: JsonObject): unknown {
    switch (action) {
      case 'GetSecretValue':
        return this.#getSecretValue(input);
      case 'PutSecretValue':
        return this.#putSecretValue(input);
      case 'DescribeSecret':
        return this.#describeSecret(input);
      default:
        throw new AwsApiError('UnknownOperationException', `Unknown operation ${action}`);
    }
  }

  /** Creates the secret, or gives it a new AWSCURRENT version (the old one becomes AWSPREVIOUS); its ARN. */
  set(name: string, value: string): string {
    const existing = this.#secrets.get(name);
    if (existing) {
      this.#addVersion(existing, uuid(), { string: value }, [CURRENT]);
      return existing.arn;
    }
    const now = this.#config.clock();
    const arn =
      this.#arns.get(name) ??
      `arn:aws:secretsmanager:${this.#config.region}:${this.#config.accountId}:secret:${name}-${randomSuffix(6)}`;
    this.#arns.set(name, arn);
    this.#secrets.set(name, {
      name,
      arn,
      createdAt: now,
      lastChangedAt: now,
      versions: [{ versionId: uuid(), value: { string: value }, createdAt: now, stages: [CURRENT] }],
    });
    return arn;
  }

  /** The ARN of the secret named `name`, if there is one. */
  arnOf(name: string): string | undefined {
    return this.#secrets.get(name)?.arn;
  }

  /** Back to the secrets given in the options (with the ARNs they had). */
  reset(): void {
    this.#secrets = new Map();
    for (const [name, value] of Object.entries(this.#config.secrets)) this.set(name, value);
  }

  #getSecretValue(input: JsonObject): unknown {
    const secretId = requiredString(input, 'SecretId');
    const versionId = optionalString(input, 'VersionId');
    const versionStage = optionalString(input, 'VersionStage');
    const secret = this.#require(secretId);
    const version = secret.versions.find((v) =>
      versionId !== undefined
        ? v.versionId === versionId && (versionStage === undefined || v.stages.includes(versionStage))
        : v.stages.includes(versionStage ?? CURRENT),
    );
    if (!version) {
      throw new AwsApiError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for ${versionId !== undefined ? `VersionId: ${versionId}` : `staging label: ${versionStage}`}`,
      );
    }
    secret.lastAccessedAt = this.#config.clock();
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...('string' in version.value
        ? { SecretString: version.value.string }
        : { SecretBinary: version.value.binaryBase64 }),
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdAt),
    };
  }

  /**
   * A new version (AWSCURRENT unless `VersionStages` says otherwise). The same `ClientRequestToken` with the
   * same value is the same version (the call is idempotent); with another value it is refused.
   */
  #putSecretValue(input: JsonObject): unknown {
    const secretId = requiredString(input, 'SecretId');
    const secretString = optionalString(input, 'SecretString');
    const secretBinary = optionalString(input, 'SecretBinary');
    const token = optionalString(input, 'ClientRequestToken');
    const stages = optionalArray(input, 'VersionStages');
    if (secretString === undefined && secretBinary === undefined) {
      throw new AwsApiError(
        'InvalidRequestException',
        'You must provide either SecretString or SecretBinary.',
      );
    }
    if (secretString !== undefined && secretBinary !== undefined) {
      throw new AwsApiError(
        'InvalidParameterException',
        "You can't specify both a binary secret value and a string secret value in the same secret.",
      );
    }
    if (token !== undefined && !CLIENT_REQUEST_TOKEN.test(token)) {
      throw new AwsApiError(
        'ValidationException',
        `1 validation error detected: Value '${token}' at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64`,
      );
    }
    if (stages !== undefined && (stages.length === 0 || !stages.every((s) => typeof s === 'string' && s))) {
      throw new AwsApiError(
        'ValidationException',
        "1 validation error detected: Value at 'versionStages' failed to satisfy constraint: Member must have length between 1 and 20",
      );
    }
    const secret = this.#require(secretId);
    const value: SecretValue =
      secretString !== undefined ? { string: secretString } : { binaryBase64: secretBinary as string };
    const version = this.#addVersion(secret, token ?? uuid(), value, (stages as string[]) ?? [CURRENT]);
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      VersionStages: [...version.stages],
    };
  }

  #describeSecret(input: JsonObject): unknown {
    const secret = this.#require(requiredString(input, 'SecretId'));
    return {
      ARN: secret.arn,
      Name: secret.name,
      LastChangedDate: epochSeconds(secret.lastChangedAt),
      // Secrets Manager keeps only the day of the last access.
      ...(secret.lastAccessedAt !== undefined
        ? { LastAccessedDate: epochSeconds(Math.floor(secret.lastAccessedAt / DAY_MS) * DAY_MS) }
        : {}),
      VersionIdsToStages: Object.fromEntries(
        secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.versionId, [...v.stages]]),
      ),
      CreatedDate: epochSeconds(secret.createdAt),
    };
  }

  /**
   * Adds a version with `stages`, moving each label from the version that had it; AWSCURRENT moving
   * makes the version it left AWSPREVIOUS. A `versionId` already there with the same value is returned
   * unchanged (a retried call); with another value it is `ResourceExistsException`.
   */
  #addVersion(secret: SecretRecord, versionId: string, value: SecretValue, stages: string[]): SecretVersion {
    const existing = secret.versions.find((v) => v.versionId === versionId);
    if (existing) {
      if (JSON.stringify(existing.value) !== JSON.stringify(value)) {
        throw new AwsApiError(
          'ResourceExistsException',
          "You can't modify an existing version, you can only create a new version.",
        );
      }
      return existing;
    }
    const labels = [...new Set(stages)];
    const previousCurrent = labels.includes(CURRENT)
      ? secret.versions.find((v) => v.stages.includes(CURRENT))
      : undefined;
    for (const version of secret.versions) {
      version.stages = version.stages.filter(
        (s) => !labels.includes(s) && !(previousCurrent && s === PREVIOUS),
      );
    }
    if (previousCurrent) previousCurrent.stages.push(PREVIOUS);
    const now = this.#config.clock();
    const version: SecretVersion = { versionId, value, createdAt: now, stages: labels };
    secret.versions = [version, ...secret.versions];
    secret.lastChangedAt = now;
    return version;
  }

  #require(secretId: string): SecretRecord {
    const secret = this.#find(secretId);
    if (!secret) throw new AwsApiError('ResourceNotFoundException', NOT_FOUND_MESSAGE);
    return secret;
  }

  /** By name, by full ARN, or by partial ARN (the ARN without its random suffix), as AWS accepts. */
  #find(secretId: string): SecretRecord | undefined {
    const byName = this.#secrets.get(secretId);
    if (byName) return byName;
    for (const secret of this.#secrets.values()) {
      if (secret.arn === secretId || secret.arn.slice(0, -7) === secretId) return secret;
    }
    return undefined;
  }
}
