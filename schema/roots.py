"""The root classes of the one schema: every domain module's share of Query, Mutation and
Subscription, in the order the embedded schema merges them. `schema.api` merges all of them;
`schema.subgraphs` gives each subgraph the ones its modules own, so no root is listed twice."""

from __future__ import annotations

from schema.accounts import AccountMutation, AccountQuery
from schema.clusters import ClusterQuery
from schema.conversation import ConversationMutation
from schema.directory import DirectoryMutation, DirectoryQuery
from schema.lifecycle import LifecycleQuery
from schema.moderation import ModerationMutation, ModerationQuery
from schema.mutations import ReportMutation
from schema.my_reports import MyReportsMutation
from schema.node import NodeQuery
from schema.notifications import NotificationMutation
from schema.photo_mutations import PhotoMutation
from schema.profile import ProfileMutation
from schema.queues import QueueQuery
from schema.report_pages import ReportQuery
from schema.statistics import StatisticsQuery
from schema.subscriptions import Subscription
from schema.web_push import WebPushMutation, WebPushQuery
from schema.webhooks import WebhookMutation, WebhookQuery

QUERY_ROOTS: tuple[type, ...] = (
    ReportQuery,
    ClusterQuery,
    QueueQuery,
    StatisticsQuery,
    DirectoryQuery,
    NodeQuery,
    AccountQuery,
    LifecycleQuery,
    ModerationQuery,
    WebhookQuery,
    WebPushQuery,
)
MUTATION_ROOTS: tuple[type, ...] = (
    ReportMutation,
    ConversationMutation,
    PhotoMutation,
    AccountMutation,
    ProfileMutation,
    DirectoryMutation,
    MyReportsMutation,
    ModerationMutation,
    NotificationMutation,
    WebhookMutation,
    WebPushMutation,
)
SUBSCRIPTION_ROOT = Subscription  # the live feed
