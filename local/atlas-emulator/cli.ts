/**
 * `npm run atlas-emulator`: the Atlas emulator on its own, until Ctrl-C. It accepts DEMO_API_KEY
 * (Digest) and DEMO_SERVICE_ACCOUNT (OAuth) and prints a `curl --digest` to try.
 */
import {
  ExitCode,
  exitWhenWritten,
  parseCommandLine,
  parsePort,
  runCli,
  UsageError,
} from '../cli/commandLine';
import { loadAtlasScript } from './script';
import { DEMO_API_KEY, DEMO_GROUP_ID, DEMO_SERVICE_ACCOUNT, startAtlasEmulator } from './startAtlasEmulator';

const SCRIPT = 'npm run atlas-emulator';

const HELP = `Usage: npm run atlas-emulator -- [options]

Runs the Atlas Admin API emulator alone until Ctrl-C: the private-endpoint API (v2 and v1.0) with HTTP
Digest and OAuth service accounts, as docs/atlas-emulator.md describes. It prints its URL, the demo
credentials and curl commands to try.

Options:
  --port N         the port (default: 0, a free one)
  --host HOST      the address to listen on (default: 127.0.0.1, this machine only)
  --script PATH    a script of endpoint statuses and faults, a JSON file (docs/atlas-emulator.md, "Script format")
  --help, -h       this text

Exit status:
  0  stopped with Ctrl-C (SIGINT) or SIGTERM
  2  a bad option or script: nothing was started
  3  the port is in use (or may not be used): nothing was started
  4  an unexpected error (a bug)
`;

const OPTIONS = {
  port: { type: 'string', default: '0' },
  host: { type: 'string', default: '127.0.0.1' },
  script: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

async function main(): Promise<number> {
  const values = parseCommandLine(OPTIONS);
  if (values.help) {
    process.stdout.write(HELP);
    return ExitCode.ok;
  }
  const port = parsePort(values.port);
  if (values.host === '') throw new UsageError('--host: expected an address such as 127.0.0.1, got ""');
  const script = values.script !== undefined ? await loadAtlasScript(values.script) : undefined;
  const atlas = await startAtlasEmulator({ port, host: values.host, ...(script ? { script } : {}) });
  const base = `${atlas.url}/api/atlas/v2/groups/${DEMO_GROUP_ID}/privateEndpoint`;
  process.stdout.write(`Atlas emulator listening on ${atlas.url}${values.script ? ` (script: ${values.script})` : ''}
  API key:         ${DEMO_API_KEY.publicKey} / ${DEMO_API_KEY.privateKey}  (HTTP Digest, MD5)
  Service account: ${DEMO_SERVICE_ACCOUNT.clientId} / ${DEMO_SERVICE_ACCOUNT.clientSecret}  (POST ${atlas.url}/api/oauth/token)
  Demo project:    ${DEMO_GROUP_ID}  (any 24-hex group id works)

Try:
  curl --digest -u '${DEMO_API_KEY.publicKey}:${DEMO_API_KEY.privateKey}' \\
    -H 'Accept: application/vnd.atlas.2023-01-01+json' -H 'Content-Type: application/json' \\
    -d '{"providerName":"AWS","region":"us-east-1"}' '${base}/endpointService?pretty=true'
  curl --digest -u '${DEMO_API_KEY.publicKey}:${DEMO_API_KEY.privateKey}' \\
    -H 'Accept: application/vnd.atlas.2023-01-01+json' '${base}/AWS/endpointService?pretty=true'

Ctrl-C to stop.
`);
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.once('SIGINT', () => exitWhenWritten(ExitCode.ok));
      void atlas.close().then(() => resolve(ExitCode.ok));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

runCli(SCRIPT, main);
