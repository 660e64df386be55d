export { startHomeserver, type RunningHomeserver, type StartOptions } from './start-homeserver';
export { startWorker, type RunningWorker } from './start-worker';
export {
  adminOperationsIn,
  type AdminOperations,
  type NewToken,
  type NewUser,
  type RegistrationTokenView,
} from './control/admin-operations';
export { controlSocketClient, controlSocketPathFor } from './control/control-socket';
