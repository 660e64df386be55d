export { TEST_REDIS_URL, usingEmbeddedFallback } from './service-urls';
export { copyTestDatabase, createTestDatabase, type TestDatabase } from './test-database';
export { openMigratedDatabase, type MigratedDatabase } from './migrated-database';
export { signUp, TestClient, type LooseBody, type MatrixResponse } from './matrix-client';
export { startTestHomeserver, type TestHomeserver, type TestHomeserverOptions } from './test-homeserver';
export { HearthBuild, type HearthProcess } from './hearth-process';
export {
  federationRawGet,
  federationRequest,
  freePort,
  makeTestCertificate,
  sharedRoom,
  startFederatedPair,
  startFederatingHomeserver,
  type FederatedPair,
  type FederatingHomeserver,
  type TestCertificate,
} from './federation';
export { eventually } from './eventually';
export { sqlOn } from './server-sql';
export { FakePeer, type ReceivedTransaction } from './fake-peer';
export { TestPushGateway, type ReceivedNotification } from './push-gateway';
export { startTestS3Server, type TestS3Server } from './s3-server';
