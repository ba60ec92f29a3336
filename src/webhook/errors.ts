/** A request body that is not an AdmissionReview ddguard can answer: HTTP 400 with the reason. */
export class MalformedReviewError extends Error {
  readonly code = 'DDG_MALFORMED_REVIEW';
  readonly statusCode = 400;
}

/** The webhook's settings (flags, environment, config file) do not validate; all problems at once. */
export class WebhookConfigError extends Error {
  readonly code = 'DDG_WEBHOOK_CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(`invalid serve settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** A port serve was told to use cannot be bound (in use, privileged, no such address). */
export class ListenError extends Error {
  readonly code = 'DDG_LISTEN';
}

/** The serving certificate or key cannot be read or does not form a usable pair. */
export class CertificateError extends Error {
  readonly code = 'DDG_CERTIFICATE';
}

/** Only `application/json` in UTF-8 is reviewed: HTTP 415 for anything else, naming what was sent (cut short). */
export class UnsupportedMediaTypeError extends Error {
  readonly code = 'DDG_UNSUPPORTED_MEDIA_TYPE';
  readonly statusCode = 415;
  constructor(contentType: string | undefined) {
    const sent = JSON.stringify((contentType ?? '').slice(0, 100));
    super(`content type ${sent} is not supported; send the AdmissionReview as application/json (UTF-8)`);
  }
}
