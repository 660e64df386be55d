export { startHomeserver, type RunningHomeserver, type StartOptions } from './start-homeserver';
export { startWorker, type RunningWorker } from './start-worker';
