import type { Clock } from '../shared/model';
import { AwsApiError } from './errors';
import { randomSuffix, uuid } from './ids';
import { epochSeconds, type JsonObject, optionalString, requiredString } from './jsonInput';

interface SecretVersion {
  readonly versionId: string;
  readonly value: string;
  readonly createdAt: number;
  stages: string[];
}

interface SecretRecord {
  readonly name: string;
  readonly arn: string;
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

/**
 * The emulated Secrets Manager: string secrets by name, with versions and the AWSCURRENT /
 * AWSPREVIOUS staging labels. A secret's ARN ends in `-` and six random characters, as in AWS, so
 * code that builds ARNs from names instead of reading them is caught.
 */
export class SecretsManagerService {
  readonly #config: SecretsManagerConfig;
  #secrets = new Map<string, SecretRecord>();

  constructor(config: SecretsManagerConfig) {
    this.#config = config;
    this.reset();
  }

  handle(action: string, input: JsonObject): unknown {
    if (action === 'GetSecretValue') return this.#getSecretValue(input);
    throw new AwsApiError('UnknownOperationException', `Unknown operation ${action}`);
  }

  /** Creates the secret, or gives it a new AWSCURRENT version (the old one becomes AWSPREVIOUS). */
  set(name: string, value: string): void {
    const now = this.#config.clock();
    const existing = this.#secrets.get(name);
    if (!existing) {
      const arn = `arn:aws:secretsmanager:${this.#config.region}:${this.#config.accountId}:secret:${name}-${randomSuffix(6)}`;
      this.#secrets.set(name, {
        name,
        arn,
        versions: [{ versionId: uuid(), value, createdAt: now, stages: [CURRENT] }],
      });
      return;
    }
    for (const version of existing.versions) {
      version.stages = version.stages.includes(CURRENT)
        ? [PREVIOUS]
        : version.stages.filter((s) => s !== PREVIOUS);
    }
    existing.versions = [
      { versionId: uuid(), value, createdAt: now, stages: [CURRENT] },
      ...existing.versions.filter((v) => v.stages.length > 0),
    ];
  }

  /** Back to the secrets given in the options. */
  reset(): void {
    this.#secrets = new Map();
    for (const [name, value] of Object.entries(this.#config.secrets)) this.set(name, value);
  }

  #getSecretValue(input: JsonObject): unknown {
    const secretId = requiredString(input, 'SecretId');
    const versionId = optionalString(input, 'VersionId');
    const versionStage = optionalString(input, 'VersionStage');
    const secret = this.#find(secretId);
    if (!secret) throw new AwsApiError('ResourceNotFoundException', NOT_FOUND_MESSAGE);
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
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      SecretString: version.value,
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdAt),
    };
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
