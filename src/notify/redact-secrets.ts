/**
 * Removes what looks like a secret from free text before it leaves the process in a notification:
 * CloudStack `apikey`/`signature`/`secretkey` query values, bearer tokens, and URL passwords.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/((?:apikey|signature|secretkey|api_key|secret_key|token|password)=)[^&\s"']+/gi, '$1[REDACTED]')
    .replace(/(bearer\s+)[A-Za-z0-9._~+/-]+=*/gi, '$1[REDACTED]')
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/gi, '$1:[REDACTED]@');
}
