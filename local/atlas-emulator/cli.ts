/**
 * Runs the Atlas emulator on its own:
 *
 *   npx tsx local/atlas-emulator/cli.ts [--port N] [--script file.json]
 *
 * It accepts DEMO_API_KEY (Digest) and DEMO_SERVICE_ACCOUNT (OAuth) and stays up until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { AtlasScriptError } from './errors';
import { loadAtlasScript } from './script';
import { DEMO_API_KEY, DEMO_GROUP_ID, DEMO_SERVICE_ACCOUNT, startAtlasEmulator } from './startAtlasEmulator';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      script: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('Usage: npx tsx local/atlas-emulator/cli.ts [--port N] [--host H] [--script file.json]');
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`Invalid --port ${values.port}: expected a whole number from 0 to 65535.`);
  }
  const script = values.script ? await loadAtlasScript(values.script) : undefined;
  const atlas = await startAtlasEmulator({ port, host: values.host, ...(script ? { script } : {}) });
  const base = `${atlas.url}/api/atlas/v2/groups/${DEMO_GROUP_ID}/privateEndpoint`;
  console.log(`Atlas emulator listening on ${atlas.url}${values.script ? ` (script: ${values.script})` : ''}
  API key:         ${DEMO_API_KEY.publicKey} / ${DEMO_API_KEY.privateKey}  (HTTP Digest, MD5)
  Service account: ${DEMO_SERVICE_ACCOUNT.clientId} / ${DEMO_SERVICE_ACCOUNT.clientSecret}  (POST ${atlas.url}/api/oauth/token)
  Demo project:    ${DEMO_GROUP_ID}  (any 24-hex group id works)

Try:
  curl --digest -u '${DEMO_API_KEY.publicKey}:${DEMO_API_KEY.privateKey}' \\
    -H 'Accept: application/vnd.atlas.2023-01-01+json' -H 'Content-Type: application/json' \\
    -d '{"providerName":"AWS","region":"us-east-1"}' '${base}/endpointService?pretty=true'
  curl --digest -u '${DEMO_API_KEY.publicKey}:${DEMO_API_KEY.privateKey}' \\
    -H 'Accept: application/vnd.atlas.2023-01-01+json' '${base}/AWS/endpointService?pretty=true'

Ctrl-C to stop.`);
  const stop = () => {
    void atlas.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof AtlasScriptError || error instanceof Error ? error.message : error);
  process.exit(1);
});
