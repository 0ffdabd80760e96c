"""The organisation tree (đơn vị) and the people who use the portal."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """A node of the Youth Union tree (Đơn vị): Tỉnh đoàn → Huyện đoàn → Đoàn cơ sở → Chi đoàn.

    ``path`` is a materialised path of ids ("/1/4/17/") so that "this unit and
    everything below it" is one indexed ``startswith`` query.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province (Tỉnh đoàn)")
        DISTRICT = "district", _("District / city (Huyện, Thị, Thành đoàn)")
        BLOCK = "block", _("Block / directly attached (Đoàn Khối, trực thuộc)")
        GRASSROOTS = "grassroots", _("Grassroots (Đoàn cơ sở)")
        BRANCH = "branch", _("Branch (Chi đoàn)")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    member_count = models.PositiveIntegerField(
        _("members"), default=0, help_text=_("Number of Youth Union members, used to split targets.")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The path needs the row's own id, so a new row is written twice.
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
            kwargs["update_fields"] = ["path", "depth"]
        self.path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        self.depth = self.path.count("/") - 2
        super().save(*args, **kwargs)

    def is_within(self, other: "Unit") -> bool:
        """True if this unit is ``other`` or below it."""
        return self.path.startswith(other.path)

    @property
    def is_office(self) -> bool:
        return self.level in (self.Level.PROVINCE, self.Level.DISTRICT, self.Level.BLOCK)


class User(AbstractUser):
    """A person using the portal; belongs to one unit with one role there."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        OFFICE = "office", _("Office reviewer")
        STAFF = "staff", _("Unit staff")

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def is_office(self) -> bool:
        return self.role == self.Role.OFFICE and self.unit_id is not None
