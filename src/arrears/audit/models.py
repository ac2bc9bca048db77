from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditChain(models.Model):
    """One writer's chain (a process and thread) and its head: the newest entry's place and MAC.

    A writer registers its chain on its first write and is the only one to update the row, in the
    transaction of every write, so writers never wait for one another and a rolled-back write rolls
    its head back too. `mac` keys the head itself, so its place cannot be rewound to hide the newest
    entries without the key.
    """

    writer = models.CharField(max_length=200)  # host, pid, thread: for people reading a report
    token = models.CharField(max_length=32)  # random: tells this writer's row from any other
    created_at = models.DateTimeField()
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain")

    def __str__(self) -> str:
        return f"{self.writer} #{self.seq}"


class AuditEntry(models.Model):
    """Append-only and tamper-evident from the first write: each entry has its place (`seq`) in its
    writer's chain, the previous entry's MAC and its own, an HMAC-SHA256 over its content and place."""

    at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # No foreign key constraint: `verify` checks that every entry's chain exists, and a constraint
    # would cost every bulk insert a look-up per row.
    chain = models.ForeignKey(
        AuditChain, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_place_in_chain")]

    def __str__(self) -> str:
        return f"{self.at} {self.actor} {self.action} {self.object_type}:{self.object_id}"


class AuditAnchor(models.Model):
    """Every chain's head at one moment, MAC-ed and chained to the anchor before: a chain that drops
    out whole, or loses entries up to an anchored place, is caught. Written by `seal`."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    heads = models.JSONField()  # [[chain id, seq, hash], ...] in chain id order
    prev_mac = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit anchor")

    def __str__(self) -> str:
        return f"anchor {self.seq} {self.mac}"
