/** An error answer of the simulated API, with CloudStack's codes (HTTP status = `errorcode`). */
export class SimApiError extends Error {
  override readonly name = 'SimApiError';
  constructor(
    readonly errorcode: number,
    /** Java exception class code; null where the server sends none (401, most job failures). */
    readonly cserrorcode: number | null,
    readonly errortext: string,
  ) {
    super(errortext);
  }

  /** 431/9999: parameter processing (missing parameter, unknown UUID, bad value). */
  static param(text: string): SimApiError {
    return new SimApiError(431, 9999, text);
  }

  /** 431/4350: InvalidParameterValueException from the service layer (business rules). */
  static invalid(text: string): SimApiError {
    return new SimApiError(431, 4350, text);
  }

  /** 530/4250: CloudRuntimeException. */
  static internal(text: string): SimApiError {
    return new SimApiError(530, 4250, text);
  }

  /** 401 with the server's fixed text; never says which check failed. */
  static unauthorized(): SimApiError {
    return new SimApiError(401, null, 'unable to verify user credentials and/or request signature');
  }
}
