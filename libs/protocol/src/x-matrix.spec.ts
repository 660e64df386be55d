import { signingKeyFromSeed, generateSigningKey } from './signing-key';
import { verifyJsonSignature } from './signing';
import {
  parseXMatrixAuthorization,
  signedRequestObject,
  signFederationRequest,
  type FederationRequest,
} from './x-matrix';

/** The spec appendix's test key. */
const key = signingKeyFromSeed('1', 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1');

const request: FederationRequest = {
  method: 'PUT',
  uri: '/_matrix/federation/v1/send/txn1?x=1',
  origin: 'origin.hs.example.com',
  destination: 'destination.hs.example.com',
  content: { pdus: [], edus: [] },
};

describe('X-Matrix request authentication', () => {
  it('signs a request so that the receiver can verify the header against the request it got', () => {
    const header = signFederationRequest(request, key);
    expect(header).toMatch(
      /^X-Matrix origin="origin.hs.example.com",destination="destination.hs.example.com",key="ed25519:1",sig="[A-Za-z0-9+/]+"$/,
    );
    const auth = parseXMatrixAuthorization(header);
    expect(auth).toMatchObject({ origin: request.origin, destination: request.destination, key: 'ed25519:1' });
    expect(verifyJsonSignature(signedRequestObject(request, auth!), request.origin, auth!.key, key.publicKey)).toBe(
      true,
    );
  });

  it('fails verification when any signed part differs', () => {
    const auth = parseXMatrixAuthorization(signFederationRequest(request, key))!;
    for (const changed of [
      { ...request, method: 'POST' },
      { ...request, uri: '/_matrix/federation/v1/send/txn2' },
      { ...request, destination: 'elsewhere.example' },
      { ...request, content: { pdus: [{}], edus: [] } },
      { ...request, content: undefined },
    ]) {
      expect(verifyJsonSignature(signedRequestObject(changed, auth), request.origin, auth.key, key.publicKey)).toBe(
        false,
      );
    }
    expect(
      verifyJsonSignature(signedRequestObject(request, auth), request.origin, auth.key, generateSigningKey().publicKey),
    ).toBe(false);
  });

  it('signs requests without a body without a content key', () => {
    const get = { ...request, method: 'GET', content: undefined };
    const auth = parseXMatrixAuthorization(signFederationRequest(get, key))!;
    expect(verifyJsonSignature(signedRequestObject(get, auth), get.origin, auth.key, key.publicKey)).toBe(true);
  });

  it('reads the header forms servers send: any parameter order and case, bare values, spaces, no destination', () => {
    expect(parseXMatrixAuthorization('X-Matrix origin=a.example,key="ed25519:k",sig="s/+="')).toEqual({
      origin: 'a.example',
      key: 'ed25519:k',
      sig: 's/+=',
    });
    expect(
      parseXMatrixAuthorization('x-matrix  Sig="s", KEY="ed25519:k" ,Origin="a.example", destination="b.example"'),
    ).toEqual({
      origin: 'a.example',
      destination: 'b.example',
      key: 'ed25519:k',
      sig: 's',
    });
    expect(parseXMatrixAuthorization('X-Matrix origin="a\\"b",key="k",sig="s"')?.origin).toBe('a"b');
  });

  it('refuses other schemes, missing parameters and malformed lists', () => {
    for (const header of [
      'Bearer abc',
      'X-Matrix',
      'X-Matrix origin="a",key="k"',
      'X-Matrix origin="a" key="k",sig="s"',
      'X-Matrix origin="a,key="k",sig="s"',
      'X-Matrix =x,origin="a",key="k",sig="s"',
      'X-Matrixorigin="a",key="k",sig="s"',
    ]) {
      expect(parseXMatrixAuthorization(header)).toBeUndefined();
    }
  });
});
