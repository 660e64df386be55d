import { MatrixError } from '@hearth/http';

/** A `pos` names one saved position row of the connection; any process on the database can resume it. */
export function encodePos(positionId: number): string {
  return String(positionId);
}

/** An unknown, expired or malformed `pos` makes the client start over (MSC4186: 400 M_UNKNOWN_POS). */
export function decodePos(pos: string): number {
  if (!/^\d{1,15}$/.test(pos)) throw unknownPos();
  return Number(pos);
}

export function unknownPos(): MatrixError {
  return new MatrixError(400, 'M_UNKNOWN_POS', 'Unknown or expired position; start the connection again');
}
