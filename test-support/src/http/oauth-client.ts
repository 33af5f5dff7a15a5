/**
 * An app's own access token (OAuth client credentials, the secret in the form): no citizen behind it.
 *
 * @param identityUrl where identity's `/oauth/token` is reached.
 * @throws Error with the status and the answer when identity issues no token.
 */
export async function clientCredentialsToken(
  identityUrl: string,
  app: { clientId: string; clientSecret: string },
): Promise<string> {
  const token = await fetch(`${identityUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: app.clientSecret,
    }).toString(),
    redirect: 'manual',
  });
  if (token.status !== 200) throw new Error(`client credentials: HTTP ${token.status} ${await token.text()}`);
  return ((await token.json()) as { access_token: string }).access_token;
}
