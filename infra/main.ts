import { InvalidRequestError } from '../lambdas/errors';
import { AppContextError, createApp } from './app';

try {
  createApp().app.synth();
} catch (error) {
  if (error instanceof AppContextError) {
    // A context value the user typed (`cdk synth -c atlasSecretArn=…`): one line saying which and why.
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof InvalidRequestError) {
    // A prop that cannot work: name it in words, without a stack trace.
    process.stderr.write(`Cannot synthesize: ${error.message}\n`);
  } else {
    throw error;
  }
  process.exitCode = 1;
}
