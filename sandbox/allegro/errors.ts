import type { Context } from 'hono';
import { PUBLIC_MEDIA } from './spec.ts';

/**
 * Allegro's error bodies. The REST API answers `ErrorsHolder` (`{"errors":[{code,message,details,path,userMessage,
 * metadata}]}`); the OAuth server and the bearer check answer `AuthError` (`{"error","error_description"}`).
 * Codes and texts below are the ones seen in real answers (spec examples and bodies quoted in
 * github.com/allegro/allegro-api issues) wherever one is known; the rest are marked as our own wording.
 */

export interface AllegroError {
  code: string;
  message: string;
  details: string | null;
  path: string | null;
  userMessage: string;
  metadata: Record<string, string>;
}

export function apiError(
  code: string,
  message: string,
  opts: { path?: string | null; userMessage?: string; details?: string | null; metadata?: Record<string, string> } = {},
): AllegroError {
  return {
    code,
    message,
    details: opts.details ?? null,
    path: opts.path ?? null,
    userMessage: opts.userMessage ?? message,
    metadata: opts.metadata ?? {},
  };
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly errors: AllegroError[],
  ) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
  }
}

export function errorsResponse(c: Context, status: number, errors: AllegroError[]): Response {
  return c.body(JSON.stringify({ errors }), status as 400, {
    'content-type': `${PUBLIC_MEDIA};charset=UTF-8`,
  });
}

export function authErrorResponse(c: Context, status: number, error: string, description: string): Response {
  return c.body(JSON.stringify({ error, error_description: description }), status as 401, {
    'content-type': 'application/json;charset=UTF-8',
  });
}

// ---- The known bodies --------------------------------------------------------------------------------------------

/** The spec's own `Error` example. */
export const notAcceptable = () =>
  apiError('NotAcceptableException', "Not acceptable representation requested. Please check 'Accept' request header", {
    details: '',
    path: '',
    userMessage: 'The request contains incorrect data. Contact the author of the application.',
  });

/** Our wording, in the style of NotAcceptableException (no real 415 body is on record). */
export const unsupportedMediaType = (got: string) =>
  apiError('UnsupportedMediaTypeException', `Content type '${got}' not supported. Please check 'Content-Type' request header`, {
    details: '',
    path: '',
    userMessage: 'The request contains incorrect data. Contact the author of the application.',
  });

/** Real body of a 429 (github.com/allegro/allegro-api issue #11452, 2025). */
export const tooManyRequests = () =>
  apiError('TOO_MANY_REQUESTS', 'Too Many Requests.', {
    userMessage: 'The maximum number of queries per user has been exceeded. Try again in a few moments.',
  });

/** Real body of a PATCH on an offer whose previous edit still runs (allegro-api issue #9620). */
export const offerConflict = () =>
  apiError('OfferConflictException', 'Conflict', {
    path: '',
    userMessage: 'The previous edition of the offer is still being processed. Try again.',
  });

/** Real body for an unknown command id (allegro-api issue #11358). */
export const commandNotFound = () =>
  apiError('COMMAND_NOT_FOUND', 'Command not found.', { path: '', userMessage: 'Command not found.' });

/** Real body for a command id reused with another payload (allegro-api issue #8616). */
export const commandDifferentContent = () =>
  apiError(
    'COMMAND_ALREADY_REGISTERED_WITH_DIFFERENT_CONTENT',
    'Command with the given id but with different content is already registered.',
    { path: '' },
  );

/** The spec only says "409 Command id was already used"; the code is ours. */
export const commandAlreadyUsed = () =>
  apiError('COMMAND_ALREADY_REGISTERED', 'Command id was already used', { path: '' });

export const validationError = (path: string, message: string) =>
  apiError('VALIDATION_ERROR', `Validation failed: ${path ? `${path} ` : ''}${message}`, { path });

export const notFound = (what: string) =>
  apiError('NOT_FOUND', `${what} not found`, { path: '', userMessage: `${what} not found.` });

export const accessDenied = () =>
  apiError('AccessDenied', 'Access is denied', {
    userMessage: 'You do not have permission to access this resource.',
  });
