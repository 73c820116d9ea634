import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { handlerCode } from './handlerRegistry';
import { HandlerBundling } from './handlers';

export interface HandlerFunctionProps {
  /** The handler module under `lambdas/handlers/`, e.g. `checkEndpoint` or `api/startProvisioning`. */
  readonly module: string;
  /** Powertools' service name in every log line. */
  readonly serviceName: string;
  readonly environment?: Readonly<Record<string, string>>;
  /** @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Where asynchronous invocations go once Lambda's retries of them have failed.
   * @default - nowhere (the function is only invoked synchronously)
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /** A VPC to run in. @default - outside any VPC */
  readonly network?: {
    readonly vpc: ec2.IVpc;
    readonly vpcSubnets?: ec2.SubnetSelection;
    readonly securityGroups: ec2.ISecurityGroup[];
  };
}

/**
 * One of this project's Lambda functions: a handler module bundled by esbuild (minified, with source
 * maps, every dependency included so the deployed SDK version is the tested one), on the newest Node.js
 * runtime on arm64, with X-Ray, JSON logs and its own log group. From this repository's sources the local
 * esbuild bundles it at synth; from the built package it is the bundle the package ships, made with the
 * same settings when the package was built.
 */
export class HandlerFunction extends NodejsFunction {
  /** The handler module it runs (`lambdas/handlers/<module>`). */
  readonly module: string;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    const code = handlerCode(props.module);
    super(scope, id, {
      ...('assetDir' in code
        ? { code: lambda.Code.fromAsset(code.assetDir), handler: 'index.handler' }
        : { entry: code.entry, handler: 'handler' }),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(60),
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue, retryAttempts: 2 } : {}),
      ...(props.network ?? {}),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: new logs.LogGroup(scope, `${id}Logs`, {
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        ...HandlerBundling,
        mainFields: [...HandlerBundling.mainFields],
        format: OutputFormat.CJS,
        externalModules: [],
      },
    });
    this.module = props.module;
  }
}
