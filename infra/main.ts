import { InvalidRequestError } from '../lambdas/errors';
import { createApp } from './app';

try {
  createApp().app.synth();
} catch (error) {
  // A bad prop or context value (`-c atlasBaseUrl=…`): name it in words, without a stack trace.
  if (!(error instanceof InvalidRequestError)) throw error;
  process.stderr.write(`Cannot synthesize: ${error.message}\n`);
  process.exitCode = 1;
}
