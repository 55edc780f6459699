/** Default broker URL (the hosted service); set `baseUrl` to use your own broker. */
export const DEFAULT_BASE_URL = 'https://api.pushflo.dev';
