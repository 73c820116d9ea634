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

  it('reads several header fields as one, joined with commas, as RFC 9110 §5.3 defines them', () => {
    // Prepare
    const fields = ['Digest realm="r"', 'nonce="n", qop="auth"'];

    // Act
    const challenges = parseWwwAuthenticate(fields);

    // Assess
    expect(challenges.map((c) => [c.scheme, Object.fromEntries(c.params)])).toEqual([
      ['digest', { realm: 'r', nonce: 'n', qop: 'auth' }],
    ]);
  });

  it('accepts spaces around "=" and empty list elements', () => {
    // Prepare
    const header = ' , Digest realm = "r" ,, nonce= n ,';

    // Act
    const [digest] = parseWwwAuthenticate(header);

    // Assess
    expect(Object.fromEntries(digest?.params ?? [])).toEqual({ realm: 'r', nonce: 'n' });
  });

  it('reads tabs as whitespace, as spaces are', () => {
    // Prepare
    const header = 'Digest\trealm="r",\tnonce=\t"n"';

    // Act
    const [digest] = parseWwwAuthenticate(header);

    // Assess
    expect(Object.fromEntries(digest?.params ?? [])).toEqual({ realm: 'r', nonce: 'n' });
  });

  it('reads a token68 only after whitespace', () => {
    // Act
    const challenges = parseWwwAuthenticate('Bearer abc/def==, Basic realm="x"');

    // Assess
    expect(challenges.map((c) => [c.scheme, c.token68])).toEqual([
      ['bearer', 'abc/def=='],
      ['basic', undefined],
    ]);
  });

  it.each([
    ['an unterminated quoted string', 'Digest realm="abc', 'at character 14: unterminated quoted string'],
    ['a backslash that ends the field', 'Digest realm="r\\', 'at character 14: unterminated quoted string'],
    [
      'a parameter without a value',
      'Digest realm="r", nonce=',
      'at character 25: parameter "nonce" has no value',
    ],
    ['a parameter before any scheme', 'realm="x"', 'at character 6: expected an auth-scheme before "="'],
    [
      'a missing comma between parameters',
      'Digest realm="r" nonce="n"',
      'at character 23: expected "," before parameter "nonce"',
    ],
    [
      'a missing comma between challenges',
      'Digest realm="r" Basic',
      'at character 23: expected "," before "Basic"',
    ],
    [
      'a parameter after a token68',
      'Basic abc==, realm="x"',
      'at character 19: parameter "realm" after a token68, which takes none',
    ],
    [
      'a duplicated parameter',
      'Digest realm="r", realm="s", nonce="n"',
      'at character 28: parameter "realm" appears twice',
    ],
    ['a stray character', 'Digest realm="r", @nonce="n"', 'at character 19: unexpected "@"'],
    ['a character that is not a tchar right after the scheme', 'Basic/abc', 'at character 6: unexpected "/"'],
  ])('throws DigestChallengeError on %s, saying where and what', (_, header, where) => {
    // Act
    const act = () => parseWwwAuthenticate(header);

    // Assess
    expect(act).toThrow(DigestChallengeError);
    expect(act).toThrow(`Malformed WWW-Authenticate ${where}`);
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

  it('throws DigestChallengeError on an algorithm it cannot compute, naming those it can', () => {
    // Act
    const act = () => selectDigestChallenge('Digest realm="r", nonce="n", algorithm=SHA-512-256');

    // Assess
    expect(act).toThrow(DigestChallengeError);
    expect(act).toThrow(
      'Digest challenge asks for algorithm "SHA-512-256"; supported: MD5, MD5-sess, SHA-256, SHA-256-sess',
    );
  });

  it('quotes at most 64 characters of what the server sent in a message', () => {
    // Prepare
    const sent = (length: number) => `Digest realm="r", nonce="n", algorithm=${'x'.repeat(length)}`;

    // Act
    const message = (length: number) => {
      try {
        selectDigestChallenge(sent(length));
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };

    // Assess
    expect(message(64)).toContain(`"${'x'.repeat(64)}";`);
    expect(message(65)).toContain(`"${'x'.repeat(64)}…";`);
    expect(message(10_000).length).toBeLessThan(200);
  });

  it.each([
    ['no nonce', 'Digest realm="r"', 'Digest challenge has no nonce'],
    ['an empty nonce', 'Digest realm="r", nonce=""', 'Digest challenge has no nonce'],
    ['no realm', 'Digest nonce="n"', 'Digest challenge has no realm'],
  ])('throws DigestChallengeError on a challenge with %s', (_, header, message) => {
    // Act
    const act = () => selectDigestChallenge(header);

    // Assess
    expect(act).toThrow(DigestChallengeError);
    expect(act).toThrow(message);
  });

  it('accepts an empty realm, which is a realm', () => {
    // Act
    const challenge = selectDigestChallenge('Digest realm="", nonce="n"');

    // Assess
    expect(challenge).toMatchObject({ realm: '', nonce: 'n' });
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
