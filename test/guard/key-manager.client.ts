// The key manager's RS-Server compatible HTTP contract, as a script would call it.
export interface KeyManagerApi {
  create(token: string, name: string): Promise<string>;
  keyId(token: string, name: string): Promise<string>;
  revoke(token: string, apiKey: string): Promise<void>;
  renew(token: string, apiKey: string): Promise<void>;
  /** The new value and when the replaced one stops working. */
  rotate(
    token: string,
    apiKey: string,
    graceHours: number,
  ): Promise<{ api_key: string; previous_secret_expires_at: string }>;
  /** Limits the key to `scopes`; the key's list entry with its new roles. */
  setScopes(token: string, apiKey: string, scopes: string[]): Promise<{ scopes: string[]; iam_roles: string[] }>;
}

async function call(url: string, token: string): Promise<unknown> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.json().catch(() => undefined);
  if (!response.ok)
    throw new Error(
      `${url.replace(/api-key=[^&]+/, 'api-key=…')} answered ${response.status}: ${JSON.stringify(body)}`,
    );
  return body;
}

export function keyManagerApi(baseUrl: string): KeyManagerApi {
  return {
    create: async (token, name) =>
      (await call(`${baseUrl}/auth/api_key/new?name=${encodeURIComponent(name)}&never_expires=false`, token)) as string,
    keyId: async (token, name) => {
      const keys = (await call(`${baseUrl}/auth/api_key/list`, token)) as Array<{ id: string; name: string }>;
      const key = keys.find((entry) => entry.name === name);
      if (!key) throw new Error(`no key named ${name}`);
      return key.id;
    },
    revoke: async (token, apiKey) => {
      await call(`${baseUrl}/auth/api_key/revoke?api-key=${encodeURIComponent(apiKey)}`, token);
    },
    renew: async (token, apiKey) => {
      await call(`${baseUrl}/auth/api_key/renew?api-key=${encodeURIComponent(apiKey)}`, token);
    },
    rotate: async (token, apiKey, graceHours) =>
      (await call(
        `${baseUrl}/auth/api_key/rotate?api-key=${encodeURIComponent(apiKey)}&grace_period_hours=${graceHours}`,
        token,
      )) as { api_key: string; previous_secret_expires_at: string },
    setScopes: async (token, apiKey, scopes) =>
      (await call(
        `${baseUrl}/auth/api_key/scopes?api-key=${encodeURIComponent(apiKey)}` +
          scopes.map((scope) => `&scopes=${encodeURIComponent(scope)}`).join(''),
        token,
      )) as { scopes: string[]; iam_roles: string[] },
  };
}
