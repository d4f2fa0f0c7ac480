"""A stand-in for the FastAPI sample the function app ports, for side-by-side measurements only.

It behaves as the sample is described: FastAPI's HTTPBearer answers 403 {"detail": ...} when there are no credentials,
a token that fails any check gets 400 {"status": "error", "msg": ...}, a valid one gets its claims. As in the sample, a
new PyJWKClient is made for every request, so every private request fetches the JWKS from the tenant.

Settings come from the environment: AUTH0_DOMAIN (the authority, with its scheme and trailing slash), AUTH0_API_AUDIENCE,
AUTH0_ISSUER (defaults to the authority) and AUTH0_ALGORITHMS (comma-separated, RS256 by default).
"""

import os

import jwt
from fastapi import Depends, FastAPI, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

AUTHORITY = os.environ["AUTH0_DOMAIN"]
AUDIENCE = os.environ["AUTH0_API_AUDIENCE"]
ISSUER = os.environ.get("AUTH0_ISSUER", AUTHORITY)
ALGORITHMS = os.environ.get("AUTH0_ALGORITHMS", "RS256").split(",")

app = FastAPI()
bearer = HTTPBearer()


class TokenError(Exception):
    pass


def verify(token: str) -> dict:
    # The JWKS client is built per request on purpose: that is the sample's cost being measured.
    jwks_client = jwt.PyJWKClient(AUTHORITY + ".well-known/jwks.json")
    try:
        signing_key = jwks_client.get_signing_key_from_jwt(token).key
    except (jwt.exceptions.PyJWKClientError, jwt.exceptions.DecodeError) as error:
        raise TokenError(str(error)) from error
    try:
        return jwt.decode(token, signing_key, algorithms=ALGORITHMS, audience=AUDIENCE, issuer=ISSUER)
    except jwt.exceptions.PyJWTError as error:
        raise TokenError(str(error)) from error


@app.get("/api/public")
def public():
    return {"status": "success", "msg": "Hello from a public endpoint! You don't need to be authenticated to see this."}


@app.get("/api/private")
def private(response: Response, credentials: HTTPAuthorizationCredentials = Depends(bearer)):
    try:
        return verify(credentials.credentials)
    except TokenError as error:
        response.status_code = status.HTTP_400_BAD_REQUEST
        return {"status": "error", "msg": str(error)}
