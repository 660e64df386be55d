export { AuthError } from './auth-error';
export { authEventTypesFor } from './auth-event-selection';
export { authorizeEvent } from './authorize-event';
export { levelFor, parsePowerLevel, requiredPowerLevel, roomCreators, userPowerLevel } from './power-levels';
