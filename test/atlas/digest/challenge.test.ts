import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate, selectDigestChallenge } from '../../../lambdas/atlas/digest/challenge';
import { DigestChallengeError } from '../../../lambdas/errors';

const ATLAS =
  'Digest realm="MMS Public API", domain="", nonce="abc/+=", algorithm=MD5, qop="auth", stale=false';

describe('parseWwwAuthenticate', () => {
  it('reads several challenges from one field, with commas inside quoted strings', () => {
    // Prepare
    const header = 'Basic realm="x", Digest realm="a, b", nonce="n1", qop="auth,auth-int"';

    // Act
    const challenges = parseWwwAuthenticate(header);

    // Assess
    expect(challenges.map((c) => c.scheme)).toEqual(['basic', 'digest']);
    expect(Object.fromEntries(challenges[1]?.params ?? [])).toEqual({
      realm: 'a, b',
      nonce: 'n1',
      qop: 'auth,auth-int',
    });
  });

  it('unescapes quoted pairs in quoted strings', () => {
    // Prepare
    const header = 'Digest realm="say \\"hi\\", then \\\\ leave", nonce="n"';

    // Act
    const [digest] = parseWwwAuthenticate(header);

    // Assess
    expect(digest?.params.get('realm')).toBe('say "hi", then \\ leave');
  });

  it('lower-cases scheme and parameter names but keeps values as sent', () => {
    // Prepare
    const header = 'DIGEST Realm="R", NONCE=Tok.en-1, Algorithm=sha-256';

    // Act
    const [digest] = parseWwwAuthenticate(header);

    // Assess
    expect(digest?.scheme).toBe('digest');
    expect(Object.fromEntries(digest?.params ?? [])).toEqual({
      realm: 'R',
      nonce: 'Tok.en-1',
      algorithm: 'sha-256',
    });
  });

  it('reads challenges spread over several header fields', () => {
    // Prepare
    const fields = ['Negotiate', 'Bearer abc.def==', ATLAS];

    // Act
    const challenges = parseWwwAuthenticate(fields);

    // Assess
    expect(challenges.map((c) => c.scheme)).toEqual(['negotiate', 'bearer', 'digest']);
    expect(challenges[1]?.token68).toBe('abc.def==');
  });

  it('accepts spaces around "=" and empty list elements', () => {
    // Prepare
    const header = ' , Digest realm = "r" ,, nonce= n ,';

    // Act
    const [digest] = parseWwwAuthenticate(header);

    // Assess
    expect(Object.fromEntries(digest?.params ?? [])).toEqual({ realm: 'r', nonce: 'n' });
  });

  it.each([
    ['an unterminated quoted string', 'Digest realm="abc, nonce="n'],
    ['a parameter without a value', 'Digest realm=, nonce="n"'],
    ['a parameter before any scheme', 'realm="x"'],
    ['a missing comma between parameters', 'Digest realm="r" nonce="n"'],
    ['a duplicated parameter', 'Digest realm="r", realm="s", nonce="n"'],
    ['a stray character', 'Digest realm="r", @nonce="n"'],
    ['a trailing backslash', 'Digest realm="r\\'],
  ])('throws DigestChallengeError on %s', (_, header) => {
    // Act
    const act = () => parseWwwAuthenticate(header);

    // Assess
    expect(act).toThrow(DigestChallengeError);
  });
});

describe('selectDigestChallenge', () => {
  it('reads the challenge Atlas sends', () => {
    // Act
    const challenge = selectDigestChallenge(ATLAS);

    // Assess
    expect(challenge).toEqual({
      realm: 'MMS Public API',
      nonce: 'abc/+=',
      algorithm: 'MD5',
      algorithmNamed: true,
      qop: 'auth',
      opaque: undefined,
      stale: false,
    });
  });

  it('defaults to MD5 and RFC 2069 mode when algorithm and qop are absent', () => {
    // Act
    const challenge = selectDigestChallenge('Digest realm="r", nonce="n"');

    // Assess
    expect(challenge).toMatchObject({ algorithm: 'MD5', algorithmNamed: false, qop: undefined });
  });

  it.each([
    ['md5', 'MD5'],
    ['MD5-SESS', 'MD5-sess'],
    ['sha-256', 'SHA-256'],
    ['Sha-256-Sess', 'SHA-256-sess'],
  ])('recognises algorithm=%s whatever its case', (sent, expected) => {
    // Act
    const challenge = selectDigestChallenge(`Digest realm="r", nonce="n", algorithm=${sent}`);

    // Assess
    expect(challenge?.algorithm).toBe(expected);
  });

  it('chooses auth when auth and auth-int are both offered', () => {
    // Act
    const challenge = selectDigestChallenge('Digest realm="r", nonce="n", qop="auth-int, auth"');

    // Assess
    expect(challenge?.qop).toBe('auth');
  });

  it('throws DigestChallengeError when only auth-int is offered', () => {
    // Act
    const act = () => selectDigestChallenge('Digest realm="r", nonce="n", qop="auth-int"');

    // Assess
    expect(act).toThrow(DigestChallengeError);
    expect(act).toThrow(/auth-int/);
  });

  it('throws DigestChallengeError on an algorithm it cannot compute', () => {
    // Act
    const act = () => selectDigestChallenge('Digest realm="r", nonce="n", algorithm=SHA-512-256');

    // Assess
    expect(act).toThrow(DigestChallengeError);
    expect(act).toThrow(/SHA-512-256/);
  });

  it.each([
    ['no nonce', 'Digest realm="r"'],
    ['no realm', 'Digest nonce="n"'],
  ])('throws DigestChallengeError on a challenge with %s', (_, header) => {
    // Act
    const act = () => selectDigestChallenge(header);

    // Assess
    expect(act).toThrow(DigestChallengeError);
  });

  it('echoes opaque and reads stale=TRUE as true', () => {
    // Act
    const challenge = selectDigestChallenge('Digest realm="r", nonce="n", opaque="o, p", stale=TRUE');

    // Assess
    expect(challenge).toMatchObject({ opaque: 'o, p', stale: true });
  });

  it('skips a Digest challenge it cannot answer for a later one it can', () => {
    // Prepare
    const header =
      'Digest realm="r", nonce="n1", algorithm=SHA-512-256, Digest realm="r", nonce="n2", algorithm=SHA-256';

    // Act
    const challenge = selectDigestChallenge(header);

    // Assess
    expect(challenge).toMatchObject({ nonce: 'n2', algorithm: 'SHA-256' });
  });

  it('takes the first answerable Digest challenge, the server preferring it', () => {
    // Prepare
    const header =
      'Digest realm="r", nonce="a", algorithm=SHA-256, Digest realm="r", nonce="b", algorithm=MD5';

    // Act
    const challenge = selectDigestChallenge(header);

    // Assess
    expect(challenge?.nonce).toBe('a');
  });

  it.each([
    ['an absent field', undefined],
    ['a Basic-only field', 'Basic realm="x"'],
    ['an empty field', ''],
  ])('returns undefined for %s', (_, header) => {
    // Act
    const challenge = selectDigestChallenge(header);

    // Assess
    expect(challenge).toBeUndefined();
  });

  it('never throws anything but DigestChallengeError, whatever the input', () => {
    // Prepare: fragments of the grammar, so that generated fields come close to valid ones.
    const fragment = fc.constantFrom(
      'Digest',
      'Basic',
      ' ',
      ',',
      '=',
      '"',
      '\\',
      'realm',
      'nonce',
      'qop',
      'auth',
      'auth-int',
      'algorithm',
      'MD5',
      'SHA-256-sess',
      'stale',
      'true',
      'opaque',
      'x',
      '\t',
      '/',
      '\u0000',
      'é',
    );
    const field = fc.string({ unit: fragment, maxLength: 30 });

    // Act
    const run = () =>
      fc.assert(
        fc.property(fc.oneof(field, fc.array(field, { maxLength: 3 })), (header) => {
          try {
            selectDigestChallenge(header);
          } catch (error) {
            if (!(error instanceof DigestChallengeError)) {
              throw error;
            }
          }
        }),
        { numRuns: 2000 },
      );

    // Assess
    expect(run).not.toThrow();
  });
});
