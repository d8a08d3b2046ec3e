"""Credentials over real HTTP: bearer tokens, API keys, and every broken or hostile variant of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from resolvers.tokens import AUDIENCE
from tests.abuse import abusive
from tests.databases import migrated_sqlite_url
from tests.loopback_http import HTTP
from tests.server_process import RunningServer, create_admin, module_server, sigap_server

SECRET = "http-auth-test-secret-" + "s" * 20
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@kupang.test", "admin-kata-sandi-123"


server = module_server("auth", admin=(ADMIN_EMAIL, ADMIN_PASSWORD), JWT_SECRET=SECRET)


def call(
    server: RunningServer, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> httpx.Response:
    return HTTP.post(server.url + "/graphql", json={"query": query, "variables": variables}, headers=headers)


def admin_token(server: RunningServer) -> str:
    query = """mutation($e: String!, $p: String!) {
      signIn(input: {email: $e, password: $p}) { session { accessToken } } }"""
    response = call(server, query, {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD})
    return str(response.json()["data"]["signIn"]["session"]["accessToken"])


ME = "{ me { name role } }"


def test_bearer_token_identifies_the_caller(server: RunningServer) -> None:
    token = admin_token(server)

    assert call(server, ME, authorization=f"Bearer {token}").json()["data"]["me"] == {
        "name": "Admin Kota",
        "role": "CITY_ADMIN",
    }
    assert call(server, ME).json()["data"]["me"] is None


def _claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"sub": "1", "role": "CITY_ADMIN", "iss": "sigap", "aud": AUDIENCE, "iat": now,
            "exp": now + timedelta(minutes=5), **overrides}  # fmt: skip


def _unsigned(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer "
        + jwt.encode(_claims(exp=datetime.now(UTC) - timedelta(minutes=1)), SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode(_claims(), "someone-elses-secret-that-is-long-enough", algorithm="HS256"),
        "Bearer " + _unsigned(_claims()),
        "Bearer " + jwt.encode(_claims(aud="another-api"), SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode(_claims(sub="999"), SECRET, algorithm="HS256"),  # no such account
        "Bearer not.a.token",
        "Basic YWRtaW46YWRtaW4=",
        "ApiKey sgp_deadbeef_notakey",
    ],
    ids=["expired", "wrong-key", "alg-none", "wrong-audience", "unknown-user", "garbage", "basic", "bad-key"],
)
def test_bad_credentials_get_401_with_a_code(server: RunningServer, authorization: str) -> None:
    response = call(server, ME, authorization=authorization)

    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["messageEn"] != error["message"]  # Indonesian first, English beside it
    assert any(word in error["message"] for word in ("tidak", "dinonaktifkan"))
    assert "Traceback" not in response.text


CREATE_KEY = """mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) {
  key apiKey { id kind scopes budgetPerHour } errors { code } } }"""
FILE = """mutation { fileReport(input: {title: "Sampah", description: "Menumpuk", categoryCode: "SAMPAH",
  location: {lat: -10.17, lon: 123.6}}) { report { id } errors { code } } }"""


def test_api_keys_work_until_revoked(server: RunningServer) -> None:
    admin = {"authorization": f"Bearer {admin_token(server)}"}
    partner = {"name": "Universitas Nusa Cendana", "kind": "PARTNER", "scopes": ["reports:read"]}
    created = call(server, CREATE_KEY, {"i": partner}, **admin).json()["data"]["createApiKey"]
    key, key_id = created["key"], created["apiKey"]["id"]

    assert call(server, "{ agencies { code } }", **{"x-api-key": key}).status_code == 200
    assert call(server, "{ agencies { code } }", authorization=f"ApiKey {key}").status_code == 200
    refused = call(server, FILE, **{"x-api-key": key}).json()["data"]["fileReport"]
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]  # no reports:file scope

    revoke = "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } errors { code } } }"
    assert call(server, revoke, {"id": key_id}, **admin).json()["data"]["revokeApiKey"]["errors"] == []

    after = call(server, "{ agencies { code } }", **{"x-api-key": key})
    assert after.status_code == 401


def test_display_key_reads_but_never_writes(server: RunningServer) -> None:
    admin = {"authorization": f"Bearer {admin_token(server)}"}
    created = call(server, CREATE_KEY, {"i": {"name": "Layar Command Center", "kind": "DISPLAY"}}, **admin)
    key = created.json()["data"]["createApiKey"]["key"]

    assert call(server, "{ reports(first: 5) { totalCount } }", **{"x-api-key": key}).status_code == 200
    refused = call(server, FILE, **{"x-api-key": key}).json()["data"]["fileReport"]
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]


def test_only_a_city_admin_creates_keys(server: RunningServer) -> None:
    response = call(server, CREATE_KEY, {"i": {"name": "x", "kind": "PARTNER"}})

    assert [e["code"] for e in response.json()["data"]["createApiKey"]["errors"]] == ["UNAUTHENTICATED"]


def test_create_admin_refuses_a_weak_password(tmp_path: Path) -> None:
    result = create_admin({"DATABASE_URL": migrated_sqlite_url(tmp_path)}, "a@b.test", "short", "A")

    assert result.returncode == 2
    assert "Passwords have" in result.stderr


def test_an_install_id_names_an_anonymous_phone(tmp_path: Path) -> None:
    limited = {"RATE_LIMIT_FILE_REPORT": "1/minute", "RATE_LIMIT_FILE_REPORT_PER_ADDRESS": "10/minute"}
    with sigap_server(tmp_path, **limited) as running:
        answers = [
            call(running, FILE, **({"x-sigap-device": device} if device else {})).json()["data"]["fileReport"]
            for device in ["install-aaaaaaaa", "install-aaaaaaaa", "install-bbbbbbbb", "", "bad id!"]
        ]

    codes = [a["errors"][0]["code"] if a["errors"] else "FILED" for a in answers]
    # The same install is limited; another install is not; without a (valid) id, the address is.
    assert codes == ["FILED", "RATE_LIMITED", "FILED", "FILED", "RATE_LIMITED"]


REPORTS = "{ reports(first: 5) { totalCount edges { node { title } } } }"


def test_a_partner_key_reads_reports_only_with_the_reports_read_scope(server: RunningServer) -> None:
    admin = {"authorization": f"Bearer {admin_token(server)}"}

    def key_with(*scopes: str) -> dict[str, str]:
        partner = {"name": f"Mitra {'+'.join(scopes)}", "kind": "PARTNER", "scopes": list(scopes)}
        created = call(server, CREATE_KEY, {"i": partner}, **admin).json()["data"]["createApiKey"]
        return {"x-api-key": created["key"]}

    filer, reader = key_with("reports:file"), key_with("reports:read")
    filed = call(server, FILE, **filer).json()["data"]["fileReport"]
    assert call(server, REPORTS).json()["data"]["reports"]["totalCount"] >= 1  # the public's answer, cached

    reads = [
        REPORTS,  # the page the public just read: a cached answer is no way around the scope
        "{ agencies { code reports(first: 3) { totalCount } } }",
        "query($id: ID!) { node(id: $id) { ... on Report { title } } }",
    ]
    for query in reads:
        refused = call(server, abusive(query), {"id": filed["report"]["id"]}, **filer).json()
        assert refused["data"] is None, query
        assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
        allowed = call(server, query, {"id": filed["report"]["id"]}, **reader).json()
        assert "errors" not in allowed, allowed

    assert filed["errors"] == []  # filing returns the filed report: its own change, not a read
    assert "errors" not in call(server, "{ agencies { code } }", **filer).json()  # the directory is public
