import { AppContextError, createApp } from './app';

try {
  createApp().app.synth();
} catch (error) {
  // A context value the user typed (`cdk synth -c atlasSecretArn=…`): one line saying which and why.
  if (!(error instanceof AppContextError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
