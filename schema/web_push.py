"""Web Push: the VAPID key browsers subscribe with, registering and removing a browser's
subscription, and `me { pushSubscriptions }`. The sending is resolvers/web_push.py."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from models import PushSubscription as PushSubscriptionModel
from resolvers import push_subscriptions
from resolvers.errors import DomainError
from resolvers.push_subscriptions import MAX_PER_USER
from schema.context import Info
from schema.descriptions import INPUT_HELP
from schema.errors import ERRORS_HELP, UserError, user_errors
from schema.ids import to_global_id
from schema.query_cost import list_size


@strawberry.type(
    description="Peramban atau aplikasi yang menerima notifikasi Web Push saya (tanpa kuncinya). / "
    "A browser or app that receives my Web Push notifications (its keys are never shown)."
)
class PushSubscription:
    id: strawberry.ID = strawberry.field(description="ID global langganan / The subscription's global ID")
    endpoint: str = strawberry.field(
        description="Alamat layanan push peramban / The browser's push service address"
    )
    label: str = strawberry.field(
        description="Nama perangkat, atau User-Agent saat didaftarkan / "
        "The device's name, or its User-Agent when registered"
    )
    created_at: datetime = strawberry.field(description="Waktu didaftarkan / When it was registered")
    last_success_at: datetime | None = strawberry.field(
        description="Terakhir kali layanan push menerima pesan; null bila belum pernah / "
        "When the push service last accepted a message; null if never"
    )
    failures: int = strawberry.field(
        description="Pengiriman gagal sejak keberhasilan terakhir / Failed sends since the last success"
    )

    @classmethod
    def from_model(cls, row: PushSubscriptionModel) -> PushSubscription:
        return cls(
            id=strawberry.ID(to_global_id("PushSubscription", row.id)),
            endpoint=row.endpoint,
            label=row.label,
            created_at=row.created_at,
            last_success_at=row.last_success_at,
            failures=row.failures,
        )


@strawberry.type
class MyPushSubscriptions:
    """Mixed into `Me` (schema.accounts)."""

    user_pk: strawberry.Private[int]

    @strawberry.field(
        description="Peramban dan aplikasi saya yang menerima Web Push, terbaru dahulu / "
        "My browsers and apps that receive Web Push, newest first",
        metadata=list_size(MAX_PER_USER),
    )
    async def push_subscriptions(self, info: Info) -> list[PushSubscription]:
        info.context.cache_policy.cacheable = False  # the answer is the caller's
        rows = await push_subscriptions.push_subscriptions_of(self.user_pk)
        return [PushSubscription.from_model(row) for row in rows]


@strawberry.input(
    description="Kunci dari `PushSubscription.toJSON().keys` peramban / "
    "The keys from the browser's `PushSubscription.toJSON().keys`"
)
class PushSubscriptionKeysInput:
    p256dh: str = strawberry.field(
        description="Kunci publik P-256 peramban, base64url / The browser's P-256 public key, base64url"
    )
    auth: str = strawberry.field(
        description="Rahasia autentikasi 16 byte, base64url / The 16-byte auth secret, base64url"
    )


@strawberry.input(
    description="Langganan push dari `PushSubscription.toJSON()` peramban / "
    "A push subscription, from the browser's `PushSubscription.toJSON()`"
)
class RegisterPushSubscriptionInput:
    endpoint: str = strawberry.field(
        description="Alamat https layanan push / The push service's https address"
    )
    keys: PushSubscriptionKeysInput = strawberry.field(
        description="Kunci enkripsi peramban / The browser's encryption keys"
    )
    label: str | None = strawberry.field(
        default=None,
        description="Nama perangkat, opsional (bawaan: User-Agent) / "
        "The device's name, optional (default: the User-Agent)",
    )


@strawberry.type(description="Hasil mendaftarkan langganan push / Result of registering a push subscription")
class RegisterPushSubscriptionPayload:
    push_subscription: PushSubscription | None = strawberry.field(
        default=None, description="Langganan itu; null bila ditolak / The subscription; null when refused"
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_HELP)


@strawberry.type(description="Hasil menghapus langganan push / Result of removing a push subscription")
class UnregisterPushSubscriptionPayload:
    removed: bool = strawberry.field(
        default=False,
        description="Langganan saya dengan alamat itu dihapus / "
        "My subscription with that endpoint was removed",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_HELP)


@strawberry.type
class WebPushQuery:
    @strawberry.field(
        description="Kunci server aplikasi VAPID (base64url) untuk `pushManager.subscribe`; null bila "
        "Web Push tidak aktif / The VAPID application server key (base64url) for "
        "`pushManager.subscribe`; null when Web Push is off"
    )
    def web_push_public_key(self, info: Info) -> str | None:
        return info.context.web_push.public_key


@strawberry.type
class WebPushMutation:
    @strawberry.mutation(
        description="Daftarkan peramban ini untuk notifikasi Web Push (warga atau staf yang masuk); "
        "mendaftar ulang alamat yang sama memperbaruinya dan mengikatnya ke akun ini / Register this "
        "browser for Web Push notifications (signed-in citizens and staff); registering the same "
        "endpoint again updates it and binds it to this account"
    )
    async def register_push_subscription(
        self,
        info: Info,
        input: Annotated[RegisterPushSubscriptionInput, strawberry.argument(description=INPUT_HELP)],
    ) -> RegisterPushSubscriptionPayload:
        request = info.context.request
        try:
            row = await push_subscriptions.register_push_subscription(
                info.context.principal,
                endpoint=input.endpoint,
                p256dh=input.keys.p256dh,
                auth=input.keys.auth,
                label=input.label,
                user_agent=request.headers.get("user-agent") if request is not None else None,
            )
        except DomainError as exc:
            return RegisterPushSubscriptionPayload(errors=user_errors(exc))
        return RegisterPushSubscriptionPayload(push_subscription=PushSubscription.from_model(row))

    @strawberry.mutation(description="Hentikan Web Push ke peramban ini / Stop Web Push to this browser")
    async def unregister_push_subscription(
        self,
        info: Info,
        endpoint: Annotated[
            str, strawberry.argument(description="Alamat langganan itu / The subscription's endpoint")
        ],
    ) -> UnregisterPushSubscriptionPayload:
        try:
            removed = await push_subscriptions.unregister_push_subscription(info.context.principal, endpoint)
        except DomainError as exc:
            return UnregisterPushSubscriptionPayload(errors=user_errors(exc))
        return UnregisterPushSubscriptionPayload(removed=removed)
