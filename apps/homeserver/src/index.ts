export { startHomeserver, type RunningHomeserver, type StartOptions } from './start-homeserver';
