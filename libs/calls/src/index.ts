export { turnCredentials, turnPassword, type TurnServerResponse } from './turn-credentials';
