"""A person's care of their own account: forgotten passwords, profile edits, password changes and
deleting the account. Thin: the rules are in resolvers.password_reset, .profile and .account_deletion."""

from __future__ import annotations

from typing import Annotated

import strawberry

from models import User
from resolvers import account_deletion, password_reset, profile, sessions
from resolvers.errors import DomainError
from resolvers.permissions import require_signed_in
from schema.accounts import Me, SessionPayload, session_payload, token_signer
from schema.context import Info
from schema.descriptions import INPUT_HELP
from schema.errors import ERRORS_HELP, UserError, user_errors


@strawberry.input(description="Meminta token ganti kata sandi / Asking for a password-reset token")
class RequestPasswordResetInput:
    email: str = strawberry.field(description="Email akun / The account's email")


@strawberry.input(
    description="Kata sandi baru dengan token dari email / A new password with the mailed token"
)
class ResetPasswordInput:
    token: str = strawberry.field(
        description="Token dari email requestPasswordReset / The token mailed by requestPasswordReset"
    )
    new_password: str = strawberry.field(
        description="Kata sandi baru, 10..256 karakter / The new password, 10..256 characters"
    )


@strawberry.input(
    description="Perubahan profil; kolom kosong tidak diubah / A profile edit; fields left out stay"
)
class UpdateProfileInput:
    name: str | None = strawberry.field(default=None, description="Nama / Name")
    phone: str | None = strawberry.field(
        default=None,
        description="Telepon (mis. 0812-3456-7890); string kosong menghapusnya / "
        'Phone (e.g. 0812-3456-7890); "" removes it',
    )
    locale: str | None = strawberry.field(
        default=None, description="Bahasa: `id` atau `en` / Language: `id` or `en`"
    )
    email: str | None = strawberry.field(
        default=None,
        description="Email baru: berlaku setelah kode yang dikirim ke sana dipakai di verifyEmail / "
        "A new email: it takes effect once the code mailed to it comes back through verifyEmail",
    )


@strawberry.input(description="Mengganti kata sandi / Changing the password")
class ChangePasswordInput:
    current_password: str = strawberry.field(description="Kata sandi sekarang / The current password")
    new_password: str = strawberry.field(
        description="Kata sandi baru, 10..256 karakter / The new password, 10..256 characters"
    )


@strawberry.input(description="Menghapus akun sendiri / Deleting one's own account")
class DeleteAccountInput:
    password: str = strawberry.field(description="Kata sandi sekarang / The current password")


@strawberry.type(description="Hasil permintaan ganti kata sandi / Result of asking for a password reset")
class RequestPasswordResetPayload:
    accepted: bool = strawberry.field(
        default=False,
        description="Diterima; jawabannya sama untuk email terdaftar atau tidak / "
        "Accepted; the same answer whether or not the email has an account",
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_HELP, default_factory=list)


@strawberry.type(description="Hasil perubahan profil / Result of a profile edit")
class UpdateProfilePayload:
    me: Me | None = strawberry.field(
        default=None, description="Akun setelah perubahan; null bila ditolak / The account after the edit"
    )
    email_verification_sent: bool = strawberry.field(
        default=False,
        description="Kode dikirim ke email baru; email berubah setelah verifyEmail / "
        "A code went to the new email; the email changes at verifyEmail",
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_HELP, default_factory=list)


@strawberry.type(description="Hasil penghapusan akun / Result of deleting an account")
class DeleteAccountPayload:
    deleted: bool = strawberry.field(
        default=False,
        description="Akun dan data pribadinya dihapus / The account and its personal data are gone",
    )
    errors: list[UserError] = strawberry.field(description=ERRORS_HELP, default_factory=list)


def _signed_in_user(info: Info) -> User:
    principal = info.context.principal
    require_signed_in(principal)
    assert principal.user is not None
    return principal.user


@strawberry.type
class ProfileMutation:
    @strawberry.mutation(
        description="Kirim token ganti kata sandi ke email (berlaku 30 menit, sekali pakai). Jawabannya "
        "sama untuk setiap email / Mail a password-reset token (30 minutes, single use). The answer is "
        "the same for every email, known or not; only bad input and limits are refused"
    )
    async def request_password_reset(
        self,
        info: Info,
        input: Annotated[RequestPasswordResetInput, strawberry.argument(description=INPUT_HELP)],
    ) -> RequestPasswordResetPayload:
        principal = info.context.principal
        try:
            await password_reset.request_password_reset(
                input.email, client=principal.client, address=principal.address
            )
        except DomainError as exc:
            return RequestPasswordResetPayload(errors=user_errors(exc))
        return RequestPasswordResetPayload(accepted=True)

    @strawberry.mutation(
        description="Kata sandi baru dengan token dari email: semua sesi lama berakhir, lalu masuk / "
        "Set a new password with the mailed token: every earlier session ends, and a new one starts"
    )
    async def reset_password(
        self, info: Info, input: Annotated[ResetPasswordInput, strawberry.argument(description=INPUT_HELP)]
    ) -> SessionPayload:
        try:
            signer = token_signer(info)
            user = await password_reset.reset_password(input.token, input.new_password)
            return session_payload(await sessions.start_session(user, signer))
        except DomainError as exc:
            return SessionPayload(errors=user_errors(exc))

    @strawberry.mutation(
        description="Ubah nama, telepon, bahasa atau email akun yang masuk / "
        "Edit the signed-in account's name, phone, language or email"
    )
    async def update_profile(
        self, info: Info, input: Annotated[UpdateProfileInput, strawberry.argument(description=INPUT_HELP)]
    ) -> UpdateProfilePayload:
        try:
            user, principal = _signed_in_user(info), info.context.principal
            change = profile.ProfileChange(input.name, input.phone, input.locale, input.email)
            sent = await profile.update_profile(
                user, change, client=principal.client, address=principal.address
            )
        except DomainError as exc:
            return UpdateProfilePayload(errors=user_errors(exc))
        return UpdateProfilePayload(me=Me.from_user(user), email_verification_sent=sent)

    @strawberry.mutation(
        description="Ganti kata sandi dengan kata sandi sekarang: sesi lain berakhir, sesi baru dimulai / "
        "Change the password, proving the current one: other sessions end, a new one starts"
    )
    async def change_password(
        self, info: Info, input: Annotated[ChangePasswordInput, strawberry.argument(description=INPUT_HELP)]
    ) -> SessionPayload:
        try:
            signer, user = token_signer(info), _signed_in_user(info)
            changed = await profile.change_password(
                user, input.current_password, input.new_password, address=info.context.principal.address
            )
            return session_payload(await sessions.start_session(changed, signer))
        except DomainError as exc:
            return SessionPayload(errors=user_errors(exc))

    @strawberry.mutation(
        description="Warga: hapus akun dan data pribadinya; laporan tetap ada tanpa identitas / "
        "Citizens: delete the account and its personal data; reports stay, anonymous"
    )
    async def delete_account(
        self, info: Info, input: Annotated[DeleteAccountInput, strawberry.argument(description=INPUT_HELP)]
    ) -> DeleteAccountPayload:
        try:
            await account_deletion.delete_account(
                _signed_in_user(info), input.password, address=info.context.principal.address
            )
        except DomainError as exc:
            return DeleteAccountPayload(errors=user_errors(exc))
        return DeleteAccountPayload(deleted=True)
