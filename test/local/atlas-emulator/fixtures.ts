import {
  type AtlasEmulator,
  type AtlasEmulatorOptions,
  DEMO_API_KEY,
  startAtlasEmulator,
} from '../../../local/atlas-emulator';
import { DigestTestClient } from '../../helpers/atlasDigest';

export const GROUP = '5f0c1a2b3c4d5e6f7a8b9c0d';
export const VPCE = 'vpce-0123456789abcdef0';
export const VPCE_2 = 'vpce-0123456789abcdef1';
export const v2 = (path: string) => `/api/atlas/v2/groups/${GROUP}/privateEndpoint${path}`;
export const v1 = (path: string) => `/api/atlas/v1.0/groups/${GROUP}/privateEndpoint${path}`;

/** A settable virtual clock. */
export function fakeClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  const clock = () => now;
  return Object.assign(clock, {
    advance(ms: number) {
      now += ms;
    },
  });
}

export interface Harness {
  atlas: AtlasEmulator;
  client: DigestTestClient;
}

export async function startHarness(options: AtlasEmulatorOptions = {}): Promise<Harness> {
  const atlas = await startAtlasEmulator({ logError: () => {}, ...options });
  return { atlas, client: new DigestTestClient(atlas.url, DEMO_API_KEY) };
}

/** Creates an AWS endpoint service in us-east-1 and reads it until AVAILABLE (default script: 2 reads). */
export async function availableAwsService(client: DigestTestClient, versionPath = v2): Promise<string> {
  const created = await client.request(versionPath('/endpointService'), {
    method: 'POST',
    body: { providerName: 'AWS', region: 'us-east-1' },
  });
  const { id } = (await created.json()) as { id: string };
  for (let i = 0; i < 10; i += 1) {
    const read = await client.request(versionPath(`/AWS/endpointService/${id}`));
    if (((await read.json()) as { status: string }).status === 'AVAILABLE') return id;
  }
  throw new Error('endpoint service never became AVAILABLE');
}
