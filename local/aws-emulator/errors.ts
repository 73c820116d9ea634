import { InvalidRequestError } from '../../lambdas/errors';

/**
 * An error the emulator answers with, in the calling service's wire format: EC2's
 * `<Response><Errors><Error>` XML or the JSON protocols' `{ "__type", "message" }`.
 *
 * Service code throws it; the router renders it. Anything else thrown becomes a 500.
 */
export class AwsApiError extends Error {
  override readonly name = 'AwsApiError';
  /** The AWS error code, case-exact (`InvalidVpcID.NotFound`): the SDK exposes it as the error's `name`. */
  readonly code: string;
  readonly statusCode: number;

  constructor(code: string, message: string, statusCode = 400, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.statusCode = statusCode;
  }
}

/**
 * Thrown by `startAwsEmulator` when an option is invalid; the message names the option and the bad value.
 * An `InvalidRequestError`, as every bad argument to this package is.
 */
export class EmulatorOptionsError extends InvalidRequestError {
  constructor(message: string) {
    super([{ field: 'options', message }]);
    this.message = message;
    this.name = 'EmulatorOptionsError';
  }
}
