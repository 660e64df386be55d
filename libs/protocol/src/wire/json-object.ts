import { z } from 'zod';
import { isJsonObject, type JsonObject } from '../json';

/** Any JSON object (a PDU, an event template, device keys): what it must hold is checked where it is used. */
export const JsonObjectSchema = z.custom<JsonObject>(isJsonObject, 'expected a JSON object');

/** A list of JSON objects where items that are not objects are left out rather than failing the whole list. */
export const ObjectsIn = z.array(z.unknown()).transform((items) => items.filter(isJsonObject));
