"""Signing in, accounts of citizens and staff, and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from models import ApiKey as ApiKeyModel
from models import ApiKeyKind, Role, User
from resolvers import accounts, api_keys, sessions
from resolvers.errors import DomainError, ErrorCode, fail
from resolvers.tokens import TokenSigner
from schema.context import Info
from schema.descriptions import INPUT_HELP
from schema.directory import Agency, StaffMember
from schema.errors import ERRORS_HELP, UserError, user_errors
from schema.ids import from_global_id, optional_global_id, to_global_id
from schema.my_reports import MyReports
from schema.notifications import MyNotifications
from schema.web_push import MyPushSubscriptions


@strawberry.federation.type(
    keys=["id"],  # the reports subgraph adds the caller's own reports (schema.my_reports)
    description="The signed-in account, as its owner sees it",
)
class Me(MyReports, MyNotifications, MyPushSubscriptions):
    id: strawberry.ID = strawberry.field(description="ID global akun / The account's global ID")
    name: str = strawberry.field(description="Nama / Name")
    email: str | None = strawberry.field(description="Email; null bila tidak ada / Email; null when none")
    phone: str | None = strawberry.field(description="Telepon; null bila tidak ada / Phone; null when none")
    role: Role = strawberry.field(description="Peran akun / The account's role")
    locale: str = strawberry.field(
        description="Bahasa email dan pesan: `id` atau `en` / Language of mail and messages: `id` or `en`"
    )
    agency_id: strawberry.Private[int | None]

    @strawberry.field(
        description="Dinas staf; null untuk warga dan admin kota / "
        "The staff member's agency; null for citizens and city admins"
    )
    def agency(self, info: Info) -> Agency | None:
        if self.agency_id is None:
            return None
        return info.context.loaders.now_or_later("agency", self.agency_id, Agency.from_row)  # type: ignore[return-value]

    @classmethod
    def resolve_reference(cls, info: Info, id: strawberry.ID) -> Me | None:
        """Only the caller is `Me`: another account's ID resolves to nothing, so that no one
        reads another's reports through `_entities`."""
        user = info.context.principal.user
        if user is None or id != to_global_id("User", user.id):
            return None
        return cls.from_user(user)

    @classmethod
    def from_user(cls, user: User) -> Me:
        return cls(
            user_pk=user.id,
            id=strawberry.ID(to_global_id("User", user.id)),
            name=user.name,
            email=user.email,
            phone=user.phone,
            role=user.role,
            locale=user.locale,
            agency_id=user.agency_id,
        )


@strawberry.type(
    description="Sesi masuk dengan token akses dan token penyegar / "
    "A signed-in session: access and refresh tokens"
)
class Session:
    access_token: str = strawberry.field(description="Send as `Authorization: Bearer <token>`")
    access_token_expires_at: datetime = strawberry.field(
        description="Token akses berlaku sampai / The access token is valid until"
    )
    refresh_token: str = strawberry.field(description="Trade for a new session once; keep it secret")
    refresh_token_expires_at: datetime = strawberry.field(
        description="Token penyegar berlaku sampai / The refresh token is valid until"
    )
    user: Me = strawberry.field(description="Akun yang masuk / The signed-in account")


@strawberry.type(
    description="Hasil masuk, daftar atau penyegaran / Result of signing in, registering or refreshing"
)
class SessionPayload:
    session: Session | None = strawberry.field(
        default=None, description="Sesi; null bila ditolak / The session; null when refused"
    )
    errors: list[UserError] = strawberry.field(
        description=ERRORS_HELP,
        default_factory=list,
    )


@strawberry.type(description="Hasil keluar / Result of signing out")
class SignOutPayload:
    signed_out: bool = strawberry.field(default=False, description="Sesi diakhiri / The session was ended")
    errors: list[UserError] = strawberry.field(
        description=ERRORS_HELP,
        default_factory=list,
    )


@strawberry.type(description="Hasil mengelola staf / Result of managing staff")
class StaffPayload:
    staff: StaffMember | None = strawberry.field(
        default=None, description="Staf; null bila ditolak / The staff member; null when refused"
    )
    errors: list[UserError] = strawberry.field(
        description=ERRORS_HELP,
        default_factory=list,
    )


@strawberry.type(description="An API key's record; the key itself is shown only when created")
class ApiKey:
    id: strawberry.ID = strawberry.field(description="ID global kunci / The key's global ID")
    name: str = strawberry.field(description="Nama untuk mengenali kunci / A name to recognise the key by")
    kind: ApiKeyKind = strawberry.field(description="Jenis kunci / Kind of key")
    prefix: str = strawberry.field(
        description="Awalan kunci yang terlihat; rahasianya tidak pernah ditampilkan lagi / "
        "The key's visible prefix; the secret is never shown again"
    )
    scopes: list[str] = strawberry.field(description="Cakupan yang diizinkan / Scopes the key is allowed")
    budget_per_hour: int = strawberry.field(
        description="Anggaran poin biaya kueri per jam / Query-cost points allowed per hour"
    )
    created_at: datetime = strawberry.field(description="Waktu dibuat / When it was created")
    revoked_at: datetime | None = strawberry.field(
        description="Waktu dicabut; null bila masih aktif / When it was revoked; null while active"
    )

    @classmethod
    def from_model(cls, key: ApiKeyModel) -> ApiKey:
        return cls(
            id=strawberry.ID(to_global_id("ApiKey", key.id)),
            name=key.name,
            kind=key.kind,
            prefix=key.prefix,
            scopes=list(key.scopes),
            budget_per_hour=key.budget_per_hour,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
        )


@strawberry.type(
    description="Hasil membuat atau mencabut kunci API / Result of creating or revoking an API key"
)
class ApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(
        default=None, description="Kunci; null bila ditolak / The key; null when refused"
    )
    key: str | None = strawberry.field(default=None, description="The secret key, shown this one time")
    errors: list[UserError] = strawberry.field(
        description=ERRORS_HELP,
        default_factory=list,
    )


@strawberry.input(description="Masuk dengan email dan kata sandi / Signing in with email and password")
class SignInInput:
    email: str = strawberry.field(description="Email / Email")
    password: str = strawberry.field(description="Kata sandi / Password")


@strawberry.input(description="Token penyegar sesi / A session's refresh token")
class RefreshSessionInput:
    refresh_token: str = strawberry.field(
        description="Token penyegar dari `Session.refreshToken` / "
        "The refresh token from `Session.refreshToken`"
    )


@strawberry.input(description="Pendaftaran warga / A citizen's registration")
class RegisterCitizenInput:
    name: str = strawberry.field(description="Nama / Name")
    email: str = strawberry.field(
        description="Email, diverifikasi dengan kode / Email, verified by a mailed code"
    )
    password: str = strawberry.field(description="Kata sandi / Password")
    phone: str | None = strawberry.field(default=None, description="Telepon, opsional / Phone, optional")


@strawberry.input(description="Kode verifikasi email / An email verification code")
class VerifyEmailInput:
    code: str = strawberry.field(
        description="Kode dari email registerCitizen atau updateProfile(email) / "
        "The code mailed by registerCitizen or by updateProfile(email)"
    )


@strawberry.input(description="Akun staf baru / A new staff account")
class CreateStaffInput:
    name: str = strawberry.field(description="Nama lengkap / Full name")
    email: str = strawberry.field(description="Email untuk masuk / Email to sign in with")
    password: str = strawberry.field(description="Kata sandi awal / Initial password")
    role: Role = strawberry.field(description="Peran staf (bukan CITIZEN) / Staff role (not CITIZEN)")
    agency_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="ID dinas; wajib kecuali untuk admin kota / "
        "The agency's ID; required except for city admins",
    )
    phone: str | None = strawberry.field(default=None, description="Telepon, opsional / Phone, optional")


@strawberry.input(description="Mengaktifkan atau menonaktifkan staf / Enabling or disabling a staff account")
class SetStaffActiveInput:
    id: strawberry.ID = strawberry.field(description="ID staf / The staff member's ID")
    active: bool = strawberry.field(description="Aktif atau tidak / Enabled or not")


@strawberry.input(description="Kunci API baru / A new API key")
class CreateApiKeyInput:
    name: str = strawberry.field(description="Nama untuk mengenali kunci / A name to recognise the key by")
    kind: ApiKeyKind = strawberry.field(description="Jenis kunci / Kind of key")
    scopes: list[str] = strawberry.field(
        description="Cakupan yang diizinkan / Scopes the key is allowed", default_factory=list
    )
    budget_per_hour: int | None = strawberry.field(
        default=None,
        description="Poin biaya kueri per jam; kosong = bawaan / "
        "Query-cost points per hour; none = the default",
    )


@strawberry.input(description="Mencabut kunci API / Revoking an API key")
class RevokeApiKeyInput:
    id: strawberry.ID = strawberry.field(description="ID kunci / The key's ID")


def token_signer(info: Info) -> TokenSigner:
    if info.context.tokens is None:
        raise fail(ErrorCode.UNAUTHENTICATED, "Masuk tidak tersedia di sini", "Sign-in is not available here")
    return info.context.tokens


def session_payload(session: sessions.Session) -> SessionPayload:
    return SessionPayload(
        session=Session(
            access_token=session.access_token,
            access_token_expires_at=session.access_expires_at,
            refresh_token=session.refresh_token,
            refresh_token_expires_at=session.refresh_expires_at,
            user=Me.from_user(session.user),
        )
    )


def _staff(user: User) -> StaffPayload:
    row: dict[str, Any] = {"id": user.id, "name": user.name, "role": user.role}
    return StaffPayload(staff=StaffMember.from_row(row))


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The signed-in account, or null")
    def me(self, info: Info) -> Me | None:
        info.context.cache_policy.cacheable = False  # the answer is the caller
        user = info.context.principal.user
        return Me.from_user(user) if user is not None else None


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Sign in with email and password")
    async def sign_in(
        self, info: Info, input: Annotated[SignInInput, strawberry.argument(description=INPUT_HELP)]
    ) -> SessionPayload:
        try:
            signer, principal = token_signer(info), info.context.principal
            session = await sessions.sign_in(
                input.email, input.password, signer, client=principal.client, address=principal.address
            )
            return session_payload(session)
        except DomainError as exc:
            return SessionPayload(errors=user_errors(exc))

    @strawberry.mutation(description="Trade a refresh token for a new session (each token works once)")
    async def refresh_session(
        self, info: Info, input: Annotated[RefreshSessionInput, strawberry.argument(description=INPUT_HELP)]
    ) -> SessionPayload:
        try:
            return session_payload(await sessions.refresh(input.refresh_token, token_signer(info)))
        except DomainError as exc:
            return SessionPayload(errors=user_errors(exc))

    @strawberry.mutation(description="End a session: its refresh tokens stop working")
    async def sign_out(
        self, input: Annotated[RefreshSessionInput, strawberry.argument(description=INPUT_HELP)]
    ) -> SignOutPayload:
        await sessions.sign_out(input.refresh_token)
        return SignOutPayload(signed_out=True)

    @strawberry.mutation(
        description="Register a citizen: a verification code goes to the email, and `verifyEmail` "
        "with it makes the account and signs in. The answer (no session, no errors) is the same "
        "whether or not the email already has an account; only bad input and limits are refused"
    )
    async def register_citizen(
        self, info: Info, input: Annotated[RegisterCitizenInput, strawberry.argument(description=INPUT_HELP)]
    ) -> SessionPayload:
        try:
            data = accounts.AccountInput(input.name, input.email, input.password, input.phone)
            principal = info.context.principal
            await accounts.register_citizen(data, client=principal.client, address=principal.address)
        except DomainError as exc:
            return SessionPayload(errors=user_errors(exc))
        return SessionPayload()

    @strawberry.mutation(
        description="Make the citizen account of a registration with the code mailed to its email, "
        "or move an account to the new email it asked for (updateProfile), and sign in "
        "(EMAIL_TAKEN when the email has an account already: sign in instead)"
    )
    async def verify_email(
        self, info: Info, input: Annotated[VerifyEmailInput, strawberry.argument(description=INPUT_HELP)]
    ) -> SessionPayload:
        try:
            signer = token_signer(info)
            return session_payload(
                await sessions.start_session(await accounts.verify_email(input.code), signer)
            )
        except DomainError as exc:
            return SessionPayload(errors=user_errors(exc))

    @strawberry.mutation(description="Admins: create a staff account")
    async def create_staff(
        self, info: Info, input: Annotated[CreateStaffInput, strawberry.argument(description=INPUT_HELP)]
    ) -> StaffPayload:
        try:
            data = accounts.AccountInput(input.name, input.email, input.password, input.phone)
            user = await accounts.create_staff(
                info.context.principal,
                data,
                role=input.role,
                agency_id=optional_global_id(input.agency_id, "Agency", "agencyId"),
            )
        except DomainError as exc:
            return StaffPayload(errors=user_errors(exc))
        return _staff(user)

    @strawberry.mutation(description="Admins: disable (or re-enable) an account; disabling ends its sessions")
    async def set_staff_active(
        self, info: Info, input: Annotated[SetStaffActiveInput, strawberry.argument(description=INPUT_HELP)]
    ) -> StaffPayload:
        try:
            user = await accounts.set_user_active(
                info.context.principal, from_global_id(input.id, "User"), input.active
            )
        except DomainError as exc:
            return StaffPayload(errors=user_errors(exc))
        return _staff(user)

    @strawberry.mutation(description="City admin: a key for a partner or for the wall display")
    async def create_api_key(
        self, info: Info, input: Annotated[CreateApiKeyInput, strawberry.argument(description=INPUT_HELP)]
    ) -> ApiKeyPayload:
        try:
            key, secret = await api_keys.create_api_key(
                info.context.principal,
                name=input.name,
                kind=input.kind,
                scopes=input.scopes,
                budget_per_hour=input.budget_per_hour,
            )
        except DomainError as exc:
            return ApiKeyPayload(errors=user_errors(exc))
        return ApiKeyPayload(api_key=ApiKey.from_model(key), key=secret)

    @strawberry.mutation(description="City admin: revoke a key; requests and live connections using it stop")
    async def revoke_api_key(
        self, info: Info, input: Annotated[RevokeApiKeyInput, strawberry.argument(description=INPUT_HELP)]
    ) -> ApiKeyPayload:
        try:
            key = await api_keys.revoke_api_key(info.context.principal, from_global_id(input.id, "ApiKey"))
        except DomainError as exc:
            return ApiKeyPayload(errors=user_errors(exc))
        return ApiKeyPayload(api_key=ApiKey.from_model(key))
